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
        Clock clock,
        int mqttTlsPort,
        Path tlsCert,
        Path tlsKey,
        Path deviceCa,
        int firmwareMaxBytes,
        String natsUrl,
        String natsPrefix,
        io.boson.http.ApiLimits apiLimits,
        int httpsPort,
        io.boson.usage.UsageSettings usage,

        Health health,
        io.boson.webhooks.WebhookSettings webhooks,
        /** How long events are kept for resuming streams and the history API; zero turns history off. */
        Duration eventRetention,
        /** How often each node writes the events it queued for history (a resuming stream asks for a flush at once). */
        Duration eventFlushInterval,
        /**
         * A device's last heard is written when it moved at least this much since this node last wrote
         * it (connects and disconnects always write it); zero writes every change at each presence flush.
         */
        Duration lastHeardInterval,
        /** Device connections per node and the CONNECT timeout; null: from the process's open-files limit. */
        io.boson.gateway.ConnectionLimit deviceConnections,
        /** Device OS's CoAP over DTLS on this UDP port (0: any free port; -1: off). */
        int coapPort) {

    /**
     * Fleet health and node liveness: {@code enabled} turns vitals history and fleet series on
     * (the benchmark measures their cost with it off); history and series are kept for
     * {@code retention}; a cluster node beats every {@code nodeHeartbeat} and is declared dead,
     * its devices offline, when its beat has not moved for {@code nodeTimeout}; {@code metricsPort}
     * serves {@code /metrics} on its own port (0 = any free port, -1 = on the API port only).
     */
    public record Health(boolean enabled, Duration retention, Duration nodeHeartbeat, Duration nodeTimeout, int metricsPort) {
        public static final Duration DEFAULT_RETENTION = Duration.ofDays(30);
        public static final Duration DEFAULT_NODE_HEARTBEAT = Duration.ofSeconds(2);
        public static final Duration DEFAULT_NODE_TIMEOUT = Duration.ofSeconds(10);

        public static Health defaults() {
            return new Health(true, DEFAULT_RETENTION, DEFAULT_NODE_HEARTBEAT, DEFAULT_NODE_TIMEOUT, -1);
        }
    }

    public static final int DEFAULT_HTTP_PORT = 8080;
    /** 8883 is MQTT over TLS by convention and 1883 is taken by brokers on many hosts. */
    public static final int DEFAULT_MQTT_PORT = 8884;
    /** MQTT over TLS, served only when a certificate and key are configured. */
    public static final int DEFAULT_MQTT_TLS_PORT = 8885;
    /** Device OS's own port for its UDP protocol (devices dial it; it is not configurable on them). */
    public static final int DEFAULT_COAP_PORT = 5684;
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /** api-js drops a stream silent for 15 s (13 s in the CLI's bundled copy). */
    public static final Duration DEFAULT_SSE_KEEPALIVE = Duration.ofSeconds(9);
    public static final Duration DEFAULT_PRESENCE_FLUSH = Duration.ofSeconds(5);
    /** Last heard to the minute: a device publishing every second costs one row write a minute, not twelve. */
    public static final Duration DEFAULT_LAST_HEARD_INTERVAL = Duration.ofSeconds(60);
    /** Largest product firmware binary accepted (Particle's app binaries are at most a few hundred KB). */
    public static final int DEFAULT_FIRMWARE_MAX_BYTES = 4 * 1024 * 1024;

    /** Subjects of this cloud on a shared NATS server start with this token. */
    public static final String DEFAULT_NATS_PREFIX = "boson";

    public static Config defaults() {
        return new Builder().build();
    }

    /** HTTPS is served (on {@link #httpsPort}; 0 = any free port). */
    public boolean httpsEnabled() {
        return httpsPort >= 0;
    }

    public boolean tlsEnabled() {
        return tlsCert != null && tlsKey != null;
    }

    /** With a NATS URL, several nodes on one PostgreSQL database form one cloud; without, the bus is in-process. */
    public boolean clustered() {
        return natsUrl != null && !natsUrl.isBlank();
    }

    public boolean embeddedStorage() {
        return dbUrl == null || dbUrl.isBlank();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public Config withPorts(int http, int mqtt) {
        return toBuilder().httpPort(http).mqttPort(mqtt).build();
    }

    public Config withDb(String url, String user, String password) {
        return toBuilder().db(url, user, password).build();
    }

    public Config withAdmin(String username, String password) {
        return toBuilder().admin(username, password).build();
    }

    public Config withDataDir(Path dir) {
        return toBuilder().dataDir(dir).build();
    }

    public Config withTimeouts(Duration request, Duration keepAlive) {
        return toBuilder().requestTimeout(request).sseKeepAlive(keepAlive).build();
    }

    public Config withClock(Clock c) {
        return toBuilder().clock(c).build();
    }

    public Config withOpenSignup(boolean open) {
        return toBuilder().openSignup(open).build();
    }

    public Config withBindHost(String host) {
        return toBuilder().bindHost(host).build();
    }

    public Config withPresenceFlush(Duration interval) {
        return toBuilder().presenceFlushInterval(interval).build();
    }

    /** Defaults first, then whatever the caller sets. */
    public static final class Builder {
        private Path dataDir = Path.of("data");
        private String bindHost = "0.0.0.0";
        private int httpPort = DEFAULT_HTTP_PORT;
        private int mqttPort = DEFAULT_MQTT_PORT;
        private String dbUrl;
        private String dbUser;
        private String dbPassword;
        private String adminUsername = "admin";
        private String adminPassword;
        private boolean openSignup;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private Duration sseKeepAlive = DEFAULT_SSE_KEEPALIVE;
        private Duration presenceFlushInterval = DEFAULT_PRESENCE_FLUSH;
        private Duration lastHeardInterval = DEFAULT_LAST_HEARD_INTERVAL;
        private io.boson.gateway.ConnectionLimit deviceConnections;
        private String nodeId;
        private Clock clock = Clock.systemUTC();
        private int mqttTlsPort = DEFAULT_MQTT_TLS_PORT;
        private Path tlsCert;
        private Path tlsKey;
        private Path deviceCa;
        private int firmwareMaxBytes = DEFAULT_FIRMWARE_MAX_BYTES;
        private String natsUrl;
        private String natsPrefix = DEFAULT_NATS_PREFIX;
        private io.boson.http.ApiLimits apiLimits = io.boson.http.ApiLimits.particle();
        private int httpsPort = -1;
        private io.boson.usage.UsageSettings usage = io.boson.usage.UsageSettings.defaults();
        private Health health = Health.defaults();
        private io.boson.webhooks.WebhookSettings webhooks = io.boson.webhooks.WebhookSettings.defaults();
        private Duration eventRetention = io.boson.events.EventHistory.DEFAULT_RETENTION;
        private Duration eventFlushInterval = io.boson.events.EventHistory.DEFAULT_FLUSH_INTERVAL;
        private int coapPort = -1;

        public Builder() {
        }

        private Builder(Config c) {
            dataDir = c.dataDir;
            bindHost = c.bindHost;
            httpPort = c.httpPort;
            mqttPort = c.mqttPort;
            dbUrl = c.dbUrl;
            dbUser = c.dbUser;
            dbPassword = c.dbPassword;
            adminUsername = c.adminUsername;
            adminPassword = c.adminPassword;
            openSignup = c.openSignup;
            requestTimeout = c.requestTimeout;
            sseKeepAlive = c.sseKeepAlive;
            presenceFlushInterval = c.presenceFlushInterval;
            lastHeardInterval = c.lastHeardInterval;
            deviceConnections = c.deviceConnections;
            nodeId = c.nodeId;
            clock = c.clock;
            mqttTlsPort = c.mqttTlsPort;
            tlsCert = c.tlsCert;
            tlsKey = c.tlsKey;
            deviceCa = c.deviceCa;
            firmwareMaxBytes = c.firmwareMaxBytes;
            natsUrl = c.natsUrl;
            natsPrefix = c.natsPrefix;
            apiLimits = c.apiLimits;
            httpsPort = c.httpsPort;
            usage = c.usage;
            health = c.health;
            webhooks = c.webhooks;
            eventRetention = c.eventRetention;
            eventFlushInterval = c.eventFlushInterval;
            coapPort = c.coapPort;
        }

        public Builder dataDir(Path v) { dataDir = v; return this; }
        public Builder bindHost(String v) { bindHost = v; return this; }
        public Builder httpPort(int v) { httpPort = v; return this; }
        public Builder mqttPort(int v) { mqttPort = v; return this; }
        public Builder db(String url, String user, String password) { dbUrl = url; dbUser = user; dbPassword = password; return this; }
        public Builder admin(String username, String password) { adminUsername = username; adminPassword = password; return this; }
        public Builder openSignup(boolean v) { openSignup = v; return this; }
        public Builder requestTimeout(Duration v) { requestTimeout = v; return this; }
        public Builder sseKeepAlive(Duration v) { sseKeepAlive = v; return this; }
        public Builder presenceFlushInterval(Duration v) { presenceFlushInterval = v; return this; }
        public Builder lastHeardInterval(Duration v) { lastHeardInterval = v; return this; }
        public Builder deviceConnections(io.boson.gateway.ConnectionLimit v) { deviceConnections = v; return this; }
        public Builder nodeId(String v) { nodeId = v; return this; }
        public Builder clock(Clock v) { clock = v; return this; }
        /** PEM certificate chain and PKCS#8 PEM private key; both given turns MQTT over TLS on. */
        public Builder tls(int port, Path cert, Path key) { mqttTlsPort = port; tlsCert = cert; tlsKey = key; return this; }
        /**
         * PEM certificates of the authorities whose client certificates authenticate devices on the
         * MQTT TLS port (the certificate's CN is the device ID); null: devices use their secret only.
         */
        public Builder deviceCa(Path v) { deviceCa = v; return this; }

        public Builder firmwareMaxBytes(int v) { firmwareMaxBytes = v; return this; }
        public Builder nats(String url, String prefix) { natsUrl = url; natsPrefix = prefix; return this; }
        public Builder apiLimits(io.boson.http.ApiLimits v) { apiLimits = v; return this; }
        /** Serves HTTPS on this port (0: any free one; -1: not at all). */
        public Builder httpsPort(int v) { httpsPort = v; return this; }
        /** Metering, plans and pausing (see {@link io.boson.usage.UsageSettings}). */
        public Builder usage(io.boson.usage.UsageSettings v) { usage = v; return this; }
        public Builder health(Health v) { health = v; return this; }
        /** Webhook delivery: allowed private ranges, workers, timeouts, retries, limits. */
        public Builder webhooks(io.boson.webhooks.WebhookSettings v) { webhooks = v; return this; }
        /** Event history retention (zero: no history, no resume). */
        public Builder eventRetention(Duration v) { eventRetention = v; return this; }
        public Builder eventFlushInterval(Duration v) { eventFlushInterval = v; return this; }
        /** Device OS's UDP endpoint (0: any free port; -1: off, the default of a built config; {@code boson serve} uses 5684). */
        public Builder coapPort(int v) { coapPort = v; return this; }

        public Config build() {
            return new Config(dataDir, bindHost, httpPort, mqttPort, dbUrl, dbUser, dbPassword, adminUsername,
                    adminPassword, openSignup, requestTimeout, sseKeepAlive, presenceFlushInterval, nodeId, clock,
                    mqttTlsPort, tlsCert, tlsKey, deviceCa, firmwareMaxBytes, natsUrl, natsPrefix, apiLimits, httpsPort, usage, health,
                    webhooks, eventRetention, eventFlushInterval, lastHeardInterval,
                    deviceConnections, coapPort);
        }
    }
}
