package io.boson;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * Everything a Boson node needs to start. Built by {@code boson serve} from flags and environment,
 * and by tests directly. Ports of 0 mean "any free port".
 */
public record Config(
        Path dataDir,
        String bindHost,
        int httpPort,
        int mqttPort,
        String dbUrl,
        String dbUser,
        String dbPassword,
        String adminUsername,
        String adminPassword,
        boolean openSignup,
        Duration requestTimeout,
        Duration sseKeepAlive,
        Duration presenceFlushInterval,
        String nodeId,
        Clock clock) {

    public static final int DEFAULT_HTTP_PORT = 8080;
    /** 8883 is MQTT over TLS by convention and 1883 is taken by brokers on many hosts. */
    public static final int DEFAULT_MQTT_PORT = 8884;
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /** api-js drops a stream silent for 15 s (13 s in the CLI's bundled copy). */
    public static final Duration DEFAULT_SSE_KEEPALIVE = Duration.ofSeconds(9);
    public static final Duration DEFAULT_PRESENCE_FLUSH = Duration.ofSeconds(5);

    public static Config defaults() {
        return new Config(Path.of("data"), "0.0.0.0", DEFAULT_HTTP_PORT, DEFAULT_MQTT_PORT, null, null, null,
                "admin", null, false, DEFAULT_REQUEST_TIMEOUT, DEFAULT_SSE_KEEPALIVE, DEFAULT_PRESENCE_FLUSH,
                null, Clock.systemUTC());
    }

    public boolean embeddedStorage() {
        return dbUrl == null || dbUrl.isBlank();
    }

    public Config withPorts(int http, int mqtt) {
        return new Config(dataDir, bindHost, http, mqtt, dbUrl, dbUser, dbPassword, adminUsername, adminPassword,
                openSignup, requestTimeout, sseKeepAlive, presenceFlushInterval, nodeId, clock);
    }

    public Config withDb(String url, String user, String password) {
        return new Config(dataDir, bindHost, httpPort, mqttPort, url, user, password, adminUsername, adminPassword,
                openSignup, requestTimeout, sseKeepAlive, presenceFlushInterval, nodeId, clock);
    }

    public Config withAdmin(String username, String password) {
        return new Config(dataDir, bindHost, httpPort, mqttPort, dbUrl, dbUser, dbPassword, username, password,
                openSignup, requestTimeout, sseKeepAlive, presenceFlushInterval, nodeId, clock);
    }

    public Config withDataDir(Path dir) {
        return new Config(dir, bindHost, httpPort, mqttPort, dbUrl, dbUser, dbPassword, adminUsername, adminPassword,
                openSignup, requestTimeout, sseKeepAlive, presenceFlushInterval, nodeId, clock);
    }

    public Config withTimeouts(Duration request, Duration keepAlive) {
        return new Config(dataDir, bindHost, httpPort, mqttPort, dbUrl, dbUser, dbPassword, adminUsername, adminPassword,
                openSignup, request, keepAlive, presenceFlushInterval, nodeId, clock);
    }

    public Config withClock(Clock c) {
        return new Config(dataDir, bindHost, httpPort, mqttPort, dbUrl, dbUser, dbPassword, adminUsername, adminPassword,
                openSignup, requestTimeout, sseKeepAlive, presenceFlushInterval, nodeId, c);
    }

    public Config withOpenSignup(boolean open) {
        return new Config(dataDir, bindHost, httpPort, mqttPort, dbUrl, dbUser, dbPassword, adminUsername, adminPassword,
                open, requestTimeout, sseKeepAlive, presenceFlushInterval, nodeId, clock);
    }

    public Config withBindHost(String host) {
        return new Config(dataDir, host, httpPort, mqttPort, dbUrl, dbUser, dbPassword, adminUsername, adminPassword,
                openSignup, requestTimeout, sseKeepAlive, presenceFlushInterval, nodeId, clock);
    }
}
