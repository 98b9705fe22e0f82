package io.boson.cli;

import io.boson.Boson;
import io.boson.Config;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code boson serve}: runs a cloud node until SIGTERM or Ctrl-C. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the Boson cloud: HTTP API and MQTT device gateway.")
public final class ServeCommand implements Callable<Integer> {

    @Option(names = "--data-dir", defaultValue = "${env:BOSON_DATA_DIR:-data}",
            description = "Directory for the embedded H2 database (env BOSON_DATA_DIR, default ./data).")
    Path dataDir;

    @Option(names = "--bind", defaultValue = "${env:BOSON_BIND:-0.0.0.0}",
            description = "Address to listen on (env BOSON_BIND, default 0.0.0.0).")
    String bind;

    @Option(names = "--http-port", defaultValue = "${env:BOSON_HTTP_PORT:-8080}",
            description = "HTTP API port (env BOSON_HTTP_PORT, default 8080).")
    int httpPort;

    @Option(names = "--mqtt-port", defaultValue = "${env:BOSON_MQTT_PORT:-8884}",
            description = "MQTT device port (env BOSON_MQTT_PORT, default 8884).")
    int mqttPort;

    @Option(names = "--mqtt-tls-port", defaultValue = "${env:BOSON_MQTT_TLS_PORT:-8885}",
            description = "MQTT over TLS port, served when --tls-cert and --tls-key are given (default 8885).")
    int mqttTlsPort;

    @Option(names = "--tls-cert", defaultValue = "${env:BOSON_TLS_CERT}",
            description = "PEM certificate chain for MQTT over TLS (env BOSON_TLS_CERT).")
    Path tlsCert;

    @Option(names = "--tls-key", defaultValue = "${env:BOSON_TLS_KEY}",
            description = "PKCS#8 PEM private key for MQTT over TLS (env BOSON_TLS_KEY).")
    Path tlsKey;

    @Option(names = "--db-url", defaultValue = "${env:BOSON_DB_URL}",
            description = "PostgreSQL JDBC URL; switches storage from embedded H2 (env BOSON_DB_URL).")
    String dbUrl;

    @Option(names = "--db-user", defaultValue = "${env:BOSON_DB_USER}", description = "Database user (env BOSON_DB_USER).")
    String dbUser;

    @Option(names = "--db-password", defaultValue = "${env:BOSON_DB_PASSWORD}",
            description = "Database password (env BOSON_DB_PASSWORD).")
    String dbPassword;

    @Option(names = "--nats-url", defaultValue = "${env:BOSON_NATS_URL}",
            description = "NATS server (nats://host:4222); with PostgreSQL, several nodes form one cloud (env BOSON_NATS_URL).")
    String natsUrl;

    @Option(names = "--nats-prefix", defaultValue = "${env:BOSON_NATS_PREFIX:-boson}",
            description = "Subject prefix of this cloud on the NATS server (default boson; env BOSON_NATS_PREFIX).")
    String natsPrefix;

    @Option(names = "--node-id", defaultValue = "${env:BOSON_NODE_ID}",
            description = "Stable name of this node in a cluster (env BOSON_NODE_ID).")
    String nodeId;

    @Option(names = "--open-signup", defaultValue = "${env:BOSON_OPEN_SIGNUP:-false}",
            description = "Let anyone create an account with POST /v1/users (env BOSON_OPEN_SIGNUP).")
    boolean openSignup;

    @Option(names = "--request-timeout", defaultValue = "${env:BOSON_REQUEST_TIMEOUT:-10}",
            description = "Seconds a device has to answer a function call or variable read (default 10).")
    int requestTimeoutSeconds;

    @Option(names = "--firmware-max-bytes", defaultValue = "${env:BOSON_FIRMWARE_MAX_BYTES:-4194304}",
            description = "Largest product firmware binary accepted, in bytes (default 4 MiB, at most 16 MiB).")
    int firmwareMaxBytes;

    @Option(names = "--fleet-health", defaultValue = "${env:BOSON_FLEET_HEALTH:-true}", arity = "1",
            description = "Keep vitals history and fleet-health series (default true; env BOSON_FLEET_HEALTH).")
    boolean fleetHealth;

    @Option(names = "--history-days", defaultValue = "${env:BOSON_HISTORY_DAYS:-30}",
            description = "Days of vitals history and fleet-health series kept (default 30; env BOSON_HISTORY_DAYS).")
    int historyDays;

    @Option(names = "--metrics-port", defaultValue = "${env:BOSON_METRICS_PORT:--1}",
            description = "Serve /metrics on its own port as well (0 = any free port; default -1: only on the API port).")
    int metricsPort;

    @Option(names = "--node-heartbeat-ms", defaultValue = "${env:BOSON_NODE_HEARTBEAT_MS:-2000}",
            description = "Cluster: how often this node beats, in ms (default 2000).")
    int nodeHeartbeatMs;

    @Option(names = "--node-timeout-ms", defaultValue = "${env:BOSON_NODE_TIMEOUT_MS:-10000}",
            description = "Cluster: a node whose beat stops for this long (ms) is dead and its devices offline (default 10000).")
    int nodeTimeoutMs;

    @Option(names = "--demo", description = "Also start simulated devices claimed to the admin account.")
    boolean demo;

    @Override
    public Integer call() throws Exception {
        if ((tlsCert == null) != (tlsKey == null)) {
            System.err.println("boson: --tls-cert and --tls-key must be given together");
            return 2;
        }
        Config config = new Config.Builder().dataDir(dataDir).bindHost(bind).httpPort(httpPort).mqttPort(mqttPort)
                .db(dbUrl, dbUser, dbPassword)
                .admin(env("BOSON_ADMIN_USERNAME", "admin"), System.getenv("BOSON_ADMIN_PASSWORD"))
                .tls(mqttTlsPort, tlsCert, tlsKey)
                .openSignup(openSignup).requestTimeout(Duration.ofSeconds(requestTimeoutSeconds)).nodeId(nodeId)
                .firmwareMaxBytes(firmwareMaxBytes).nats(natsUrl, natsPrefix)
                .health(new Config.Health(fleetHealth, Duration.ofDays(historyDays), Duration.ofMillis(nodeHeartbeatMs),
                        Duration.ofMillis(nodeTimeoutMs), metricsPort))
                .build();
        if (historyDays < 1 || nodeHeartbeatMs < 100 || nodeTimeoutMs < 2 * nodeHeartbeatMs) {
            System.err.println("boson: --history-days must be at least 1, --node-heartbeat-ms at least 100, and --node-timeout-ms"
                    + " at least twice the heartbeat");
            return 2;
        }
        if (config.clustered() && config.embeddedStorage()) {
            System.err.println("boson: --nats-url joins nodes into one cloud, which needs a shared PostgreSQL (--db-url)");
            return 2;
        }
        Boson boson = Boson.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<io.boson.device.Simulator> simulator =
                new java.util.concurrent.atomic.AtomicReference<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("Boson stopping...");
            if (simulator.get() != null) simulator.get().stop();
            boson.close();
            stopped.countDown();
        }, "boson-shutdown"));
        System.out.printf("Boson is up: HTTP API on http://%s:%d, MQTT devices on %s:%d, storage %s%n",
                displayHost(bind), boson.httpPort(), displayHost(bind), boson.mqttPort(),
                config.embeddedStorage() ? "H2 in " + dataDir.toAbsolutePath() : dbUrl);
        if (boson.metricsPort() > 0) System.out.printf("Metrics on http://%s:%d/metrics%n", displayHost(bind), boson.metricsPort());
        if (boson.mqttTlsPort() > 0) System.out.printf("MQTT over TLS on %s:%d%n", displayHost(bind), boson.mqttTlsPort());
        boson.generatedAdminPassword().ifPresent(pw -> System.out.printf(
                "Created the platform admin '%s' with password: %s%n(shown once; set BOSON_ADMIN_PASSWORD to choose it)%n",
                config.adminUsername(), pw));
        if (demo) {
            simulator.set(Demo.start(boson));
        }
        stopped.await();
        return 0;
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    private static String displayHost(String bind) {
        return bind.equals("0.0.0.0") ? "127.0.0.1" : bind;
    }
}
