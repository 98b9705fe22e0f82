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
            description = "MQTT over TLS port, served when --tls-cert and --tls-key are given or HTTPS is on (default 8885).")
    int mqttTlsPort;

    @Option(names = "--coap-port", defaultValue = "${env:BOSON_COAP_PORT:-5684}",
            description = "UDP port for Device OS devices (CoAP over DTLS, their own protocol); 0 turns it off"
                    + " (env BOSON_COAP_PORT, default 5684, the port Device OS dials).")
    int coapPort;

    @Option(names = "--tls-cert", defaultValue = "${env:BOSON_TLS_CERT}",
            description = "PEM certificate chain for MQTT over TLS (env BOSON_TLS_CERT).")
    Path tlsCert;

    @Option(names = "--tls-key", defaultValue = "${env:BOSON_TLS_KEY}",
            description = "PKCS#8 PEM private key for MQTT over TLS (env BOSON_TLS_KEY).")
    Path tlsKey;

    @Option(names = "--device-ca", defaultValue = "${env:BOSON_DEVICE_CA}",
            description = "PEM certificates of the authorities whose client certificates (CN = device ID) authenticate devices"
                    + " on the MQTT TLS port instead of their secret (env BOSON_DEVICE_CA).")
    Path deviceCa;

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

    @Option(names = "--https-port", defaultValue = "${env:BOSON_HTTPS_PORT:--1}",
            description = "Serve the API over HTTPS on this port too (env BOSON_HTTPS_PORT; default off). Without "
                    + "--tls-cert/--tls-key a self-signed certificate is made once and kept in <data-dir>/tls.")
    int httpsPort;

    @Option(names = "--limit-requests", defaultValue = "${env:BOSON_LIMIT_REQUESTS:-10000}",
            description = "API requests per 5 minutes per client address and per access token; 0 = no limit (default 10000, as Particle).")
    int limitRequests;

    @Option(names = "--limit-token-requests", defaultValue = "${env:BOSON_LIMIT_TOKEN_REQUESTS:-100}",
            description = "POST /oauth/token requests per 5 minutes per client address; 0 = no limit (default 100, as Particle).")
    int limitTokenRequests;

    @Option(names = "--limit-stream-opens", defaultValue = "${env:BOSON_LIMIT_STREAM_OPENS:-100}",
            description = "Event streams opened per 5 minutes per client address; 0 = no limit (default 100, as Particle).")
    int limitStreamOpens;

    @Option(names = "--limit-streams-open", defaultValue = "${env:BOSON_LIMIT_STREAMS_OPEN:-100}",
            description = "Event streams open at once per client address, per node; 0 = no limit (default 100, as Particle).")
    int limitStreamsOpen;

    @Option(names = "--metering", defaultValue = "${env:BOSON_METERING:-true}", negatable = true,
            description = "Meter Data Operations and cellular data and enforce plans (default on; --no-metering for a baseline).")
    boolean metering;

    @Option(names = "--max-device-connections", defaultValue = "${env:BOSON_MAX_DEVICE_CONNECTIONS:--1}",
            description = "Device connections this node holds at once; the next is refused with server busy."
                    + " -1 = the process's open-files limit less 500 (default), 0 = no limit.")
    int maxDeviceConnections;

    @Option(names = "--connect-timeout-seconds", defaultValue = "${env:BOSON_CONNECT_TIMEOUT_SECONDS:-10}",
            description = "Seconds a new device connection (TLS handshake included) may take to send CONNECT, and a CONNECT may wait"
                    + " for the node before it is answered 'server busy' (default 10).")
    int connectTimeoutSeconds;

    @Option(names = "--last-heard-seconds", defaultValue = "${env:BOSON_LAST_HEARD_SECONDS:-60}",
            description = "A device's last heard is written when it moved this many seconds (connects and disconnects at once);"
                    + " 0 = at every presence flush, every 5 s (default 60).")
    long lastHeardSeconds;

    @Option(names = "--usage-flush-ms", defaultValue = "${env:BOSON_USAGE_FLUSH_MS:-5000}",
            description = "How often usage counters are written, in ms; a crash loses at most this much (default 5000).")
    long usageFlushMillis;

    @Option(names = "--usage-grace-hours", defaultValue = "${env:BOSON_USAGE_GRACE_HOURS:-72}",
            description = "Hours a Free owner at 100 %% of a limit keeps communicating before the pause (default 72).")
    long usageGraceHours;

    @Option(names = "--free-limits", defaultValue = "${env:BOSON_FREE_LIMITS:-100,100000,100}",
            description = "Free plan: devices,Data Operations,cellular MB per month (default 100,100000,100).")
    String freeLimits;

    @Option(names = "--growth-block-limits", defaultValue = "${env:BOSON_GROWTH_BLOCK_LIMITS:-100,720000,540}",
            description = "One Growth block: devices,Data Operations,cellular MB per month (default 100,720000,540).")
    String growthBlockLimits;

    @Option(names = "--fleet-health", defaultValue = "${env:BOSON_FLEET_HEALTH:-true}", arity = "1",
            description = "Keep vitals history and fleet-health series (default true; env BOSON_FLEET_HEALTH).")
    boolean fleetHealth;

    @Option(names = "--history-days", defaultValue = "${env:BOSON_HISTORY_DAYS:-30}",
            description = "Days of vitals history and fleet-health series kept (default 30; env BOSON_HISTORY_DAYS).")
    int historyDays;

    @Option(names = "--event-retention", defaultValue = "${env:BOSON_EVENT_RETENTION:-24h}",
            description = "How long events are kept for streams that resume (Last-Event-ID) and the event history API:"
                    + " a number with s, m, h or d (default 24h; 0 turns history off; env BOSON_EVENT_RETENTION).")
    String eventRetention;

    @Option(names = "--metrics-port", defaultValue = "${env:BOSON_METRICS_PORT:--1}",
            description = "Serve /metrics on its own port as well (0 = any free port; default -1: only on the API port).")
    int metricsPort;

    @Option(names = "--node-heartbeat-ms", defaultValue = "${env:BOSON_NODE_HEARTBEAT_MS:-2000}",
            description = "Cluster: how often this node beats, in ms (default 2000).")
    int nodeHeartbeatMs;

    @Option(names = "--node-timeout-ms", defaultValue = "${env:BOSON_NODE_TIMEOUT_MS:-10000}",
            description = "Cluster: a node whose beat stops for this long (ms) is dead and its devices offline (default 10000).")
    int nodeTimeoutMs;

    @Option(names = "--webhook-allow", defaultValue = "${env:BOSON_WEBHOOK_ALLOW:-}",
            description = "Address ranges (CIDR, comma-separated) webhooks may call although loopback, link-local or private;"
                    + " by default only public addresses (env BOSON_WEBHOOK_ALLOW).")
    String webhookAllow;

    @Option(names = "--webhook-workers", defaultValue = "${env:BOSON_WEBHOOK_WORKERS:-16}",
            description = "Threads making webhook requests (default 16; env BOSON_WEBHOOK_WORKERS).")
    int webhookWorkers;

    @Option(names = "--webhook-rate", defaultValue = "${env:BOSON_WEBHOOK_RATE:-100}",
            description = "Requests per second one webhook may make; more are skipped and counted (default 100).")
    int webhookRate;

    @Option(names = "--demo", description = "Also start simulated devices claimed to the admin account.")
    boolean demo;

    /** Set by {@code boson aot-training} only: runs against the started node, which then stops instead of serving on. */
    java.util.function.Consumer<Boson> training;

    /** {@code 24h}, {@code 90m}, {@code 2d}, {@code 30s}, or {@code 0}. */
    static Duration retention(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]{1,9})([smhd]?)").matcher(text.trim());
        if (!m.matches() || (m.group(2).isEmpty() && !m.group(1).equals("0"))) {
            throw new IllegalArgumentException("--event-retention must be a number with s, m, h or d (e.g. 24h), or 0: " + text);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ZERO;
        };
    }

    @Override
    public Integer call() throws Exception {
        Duration retention;
        try {
            retention = retention(eventRetention);
        } catch (IllegalArgumentException e) {
            System.err.println("boson: " + e.getMessage());
            return 2;
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            System.err.println("boson: --tls-cert and --tls-key must be given together");
            return 2;
        }
        if (deviceCa != null && tlsCert == null && httpsPort < 0) {
            System.err.println("boson: --device-ca needs MQTT over TLS (--tls-cert and --tls-key, or --https-port for a generated certificate)");
            return 2;
        }
        io.boson.webhooks.WebhookSettings webhooks;
        try {
            webhooks = webhookSettings();
        } catch (IllegalArgumentException e) {
            System.err.println("boson: --webhook-allow, --webhook-workers, --webhook-rate: " + e.getMessage());
            return 2;
        }
        if (maxDeviceConnections < -1 || connectTimeoutSeconds < 1) {
            System.err.println("boson: --max-device-connections must be -1, 0 or more; --connect-timeout-seconds at least 1");
            return 2;
        }
        if (lastHeardSeconds < 0) {
            System.err.println("boson: --last-heard-seconds must be 0 or more");
            return 2;
        }
        Config config = new Config.Builder().dataDir(dataDir).bindHost(bind).httpPort(httpPort).mqttPort(mqttPort)
                .db(dbUrl, dbUser, dbPassword)
                .admin(env("BOSON_ADMIN_USERNAME", "admin"), System.getenv("BOSON_ADMIN_PASSWORD"))
                .tls(mqttTlsPort, tlsCert, tlsKey).deviceCa(deviceCa).httpsPort(httpsPort)
                .openSignup(openSignup).requestTimeout(Duration.ofSeconds(requestTimeoutSeconds)).nodeId(nodeId)
                .lastHeardInterval(Duration.ofSeconds(lastHeardSeconds))
                .deviceConnections(maxDeviceConnections == -1
                        ? io.boson.gateway.ConnectionLimit.automatic(Duration.ofSeconds(connectTimeoutSeconds))
                        : new io.boson.gateway.ConnectionLimit(maxDeviceConnections, Duration.ofSeconds(connectTimeoutSeconds)))
                .firmwareMaxBytes(firmwareMaxBytes).nats(natsUrl, natsPrefix)
                .apiLimits(new io.boson.http.ApiLimits(limitRequests, limitTokenRequests, limitStreamOpens, limitStreamsOpen,
                        io.boson.http.ApiLimits.PARTICLE_WINDOW))
                .usage(io.boson.usage.UsageSettings.defaults().withMetering(metering)
                        .withFlushInterval(Duration.ofMillis(usageFlushMillis)).withGrace(Duration.ofHours(usageGraceHours))
                        .withFree(limits(freeLimits, "--free-limits")).withGrowthBlock(limits(growthBlockLimits, "--growth-block-limits")))
                .health(new Config.Health(fleetHealth, Duration.ofDays(historyDays), Duration.ofMillis(nodeHeartbeatMs),
                        Duration.ofMillis(nodeTimeoutMs), metricsPort))
                .webhooks(webhooks)
                .eventRetention(retention)
                .coapPort(coapPort == 0 ? -1 : coapPort)
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
        try {
            io.boson.gateway.Transport.chosen();
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("boson: " + e.getMessage());
            return 2;
        }
        Boson boson = Boson.start(config);
        if (training != null) {
            try {
                training.accept(boson);
            } finally {
                boson.close();
            }
            return 0;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<io.boson.device.Simulator> simulator =
                new java.util.concurrent.atomic.AtomicReference<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("Boson stopping...");
            if (simulator.get() != null) simulator.get().stop();
            boson.close();
            // The log is written by a background thread (logback.xml): write what it still holds.
            if (org.slf4j.LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext logs) logs.stop();
            stopped.countDown();
        }, "boson-shutdown"));
        System.out.printf("Boson is up: HTTP API on http://%s:%d, MQTT devices on %s:%d, storage %s%n",
                displayHost(bind), boson.httpPort(), displayHost(bind), boson.mqttPort(),
                config.embeddedStorage() ? "H2 in " + dataDir.toAbsolutePath() : dbUrl);
        if (boson.httpsPort() > 0) System.out.printf("HTTPS API on https://%s:%d%n", displayHost(bind), boson.httpsPort());
        if (boson.metricsPort() > 0) System.out.printf("Metrics on http://%s:%d/metrics%n", displayHost(bind), boson.metricsPort());
        if (boson.mqttTlsPort() > 0) System.out.printf("MQTT over TLS on %s:%d%n", displayHost(bind), boson.mqttTlsPort());
        boson.tls().ifPresent(tls -> System.out.printf("TLS certificate %s, SHA-256 fingerprint %s%n",
                tls.certificatePem().toAbsolutePath(), tls.fingerprint()));
        boson.generatedAdminPassword().ifPresent(pw -> System.out.printf(
                "Created the platform admin '%s' with password: %s%n(shown once; set BOSON_ADMIN_PASSWORD to choose it)%n",
                config.adminUsername(), pw));
        if (demo) {
            simulator.set(Demo.start(boson));
        }
        stopped.await();
        return 0;
    }

    /** "devices,data operations,cellular MB". */
    private io.boson.webhooks.WebhookSettings webhookSettings() {
        return io.boson.webhooks.WebhookSettings.defaults()
                .withAllow(io.boson.webhooks.WebhookSettings.parseAllow(webhookAllow))
                .withWorkers(webhookWorkers, io.boson.webhooks.WebhookSettings.DEFAULT_QUEUE).withRate(webhookRate);
    }

    private static io.boson.usage.UsageSettings.Limits limits(String spec, String option) {
        String[] parts = spec.split(",");
        try {
            if (parts.length != 3) throw new NumberFormatException();
            return new io.boson.usage.UsageSettings.Limits(Long.parseLong(parts[0].trim()), Long.parseLong(parts[1].trim()),
                    Math.round(Double.parseDouble(parts[2].trim()) * io.boson.usage.UsageSettings.Limits.MB), 0);
        } catch (NumberFormatException e) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(new ServeCommand()),
                    option + " must be devices,data operations,cellular MB (e.g. 100,100000,100)");
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    private static String displayHost(String bind) {
        return bind.equals("0.0.0.0") ? "127.0.0.1" : bind;
    }
}
