package io.boson;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.boson.audit.AuditLog;
import io.boson.audit.AuditRoutes;
import io.boson.auth.AccountRepository;
import io.boson.auth.AuthRoutes;
import io.boson.auth.AuthService;
import io.boson.auth.Secrets;
import io.boson.bus.Bus;
import io.boson.bus.LocalBus;
import io.boson.bus.NatsBus;
import io.boson.calls.CallRoutes;
import io.boson.clients.ClientRepository;
import io.boson.clients.ClientRoutes;
import io.boson.clients.ClientService;
import io.boson.calls.CallService;
import io.boson.devices.ClaimCodeRepository;
import io.boson.devices.DeviceJson;
import io.boson.devices.DeviceRepository;
import io.boson.devices.DeviceRoutes;
import io.boson.customers.CustomerRoutes;
import io.boson.customers.CustomerService;
import io.boson.devices.DeviceService;
import io.boson.devices.Presence;
import io.boson.events.EventCodec;
import io.boson.events.EventRoutes;
import io.boson.events.EventService;
import io.boson.events.EventStreams;
import io.boson.firmware.DeviceFirmwareJson;
import io.boson.firmware.FirmwareRepository;
import io.boson.firmware.FirmwareRoutes;
import io.boson.firmware.FirmwareService;
import io.boson.firmware.FirmwareStore;
import io.boson.firmware.OtaDelivery;
import io.boson.gateway.MqttGateway;
import io.boson.groups.GroupRepository;
import io.boson.groups.GroupRoutes;
import io.boson.groups.GroupService;
import io.boson.health.Health;
import io.boson.health.NodeMetrics;
import io.boson.health.OperationsRoutes;
import io.boson.bus.MeteredBus;
import io.micrometer.core.instrument.MeterRegistry;
import io.boson.products.ProductDeviceRepository;
import io.boson.products.ProductDeviceRoutes;
import io.boson.products.ProductDevices;
import io.boson.products.ProductRepository;
import io.boson.products.ProductRoutes;
import io.boson.orgs.OrgRepository;
import io.boson.orgs.OrgRoutes;
import io.boson.orgs.OrgService;
import io.boson.products.ProductService;
import io.boson.team.MemberRepository;
import io.boson.team.TeamRoutes;
import io.boson.team.TeamService;
import io.boson.http.HttpApi;
import io.boson.http.RequestLimits;
import io.boson.http.Tokens;
import io.boson.store.Database;
import io.boson.usage.UsageRoutes;
import io.boson.usage.UsageService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One Boson node, wired by hand from a {@link Config}: storage, bus, services, the HTTP API and the
 * MQTT gateway. Closing it stops in the reverse order and loses nothing that was acknowledged.
 */
public final class Boson implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Boson.class);

    private final Config config;
    private final Database db;
    private final Bus bus;
    private final Presence presence;
    private final EventStreams streams;
    private final HttpApi http;
    private final MqttGateway gateway;
    private final io.boson.deviceos.ServerKey serverKey;
    private final io.boson.deviceos.DeviceOsGateway deviceOs;
    private final io.boson.deviceos.DeviceKeys deviceKeys;
    private final ScheduledExecutorService timers;
    private final Optional<String> generatedAdminPassword;
    private final AuthService auth;
    private final DeviceService devices;
    private final RequestLimits limits;
    private final io.boson.tls.TlsIdentity tls;
    private final UsageService usage;
    private final Health health;
    private final io.boson.health.NodeWatch nodeWatch;
    private final NodeMetrics metrics;
    private final io.boson.events.EventHistory eventHistory;
    private final io.boson.rollouts.Rollouts rollouts;
    private final io.boson.webhooks.Webhooks webhooks;
    /** Set first when closing: the node reports itself unready while it drains. */
    private volatile boolean closing;
    private static final java.time.Duration READY_TIMEOUT = java.time.Duration.ofSeconds(2);

    private static final com.fasterxml.jackson.core.util.RecyclerPool<com.fasterxml.jackson.core.util.BufferRecycler> JSON_BUFFERS =
            com.fasterxml.jackson.core.util.JsonRecyclerPools.newBoundedPool(64);

    /**
     * The node's JSON mapper. Its buffers come from one shared pool: Jackson's default keeps them
     * per thread, and every request runs on a new virtual thread, so each parse and each write
     * would allocate and zero fresh 8 KB buffers (JFR: ~9 % of a function call's server time).
     * The pool is bounded (64 sets, ~1.3 MB): the shared unbounded pool keeps one set for every
     * request that was ever in flight at once, for good.
     */
    public static ObjectMapper jsonMapper() {
        com.fasterxml.jackson.core.JsonFactory factory = com.fasterxml.jackson.core.JsonFactory.builder()
                .recyclerPool(JSON_BUFFERS).build();
        return new ObjectMapper(factory).registerModule(new JavaTimeModule())
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    }

    private Boson(Config config) throws InterruptedException {
        this.config = config;
        ObjectMapper json = jsonMapper();
        if (config.clustered() && config.embeddedStorage()) {
            throw new IllegalArgumentException("A NATS bus joins nodes into one cloud, which needs a shared PostgreSQL database");
        }
        String nodeId = nodeId(config);
        this.metrics = new NodeMetrics(nodeId);
        MeterRegistry registry = metrics.registry();
        this.db = Database.open(config, registry);
        try {
            Bus carrier;
            if (config.clustered()) {
                NatsBus nats = NatsBus.connect(config.natsUrl(), config.natsPrefix(), nodeId);
                nats.bindMetrics(registry);
                carrier = nats;
            } else {
                carrier = new LocalBus();
            }
            this.bus = new MeteredBus(carrier, registry);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
        AccountRepository accounts = new AccountRepository(db.jdbi());
        this.auth = new AuthService(accounts, bus, config.clock(), config.openSignup());
        this.generatedAdminPassword = auth.bootstrapAdmin(config.adminUsername(), config.adminPassword());
        DeviceRepository deviceRepo = new DeviceRepository(db.jdbi());
        MemberRepository members = new MemberRepository(db.jdbi(), bus);
        AuditLog audit = new AuditLog(db.jdbi(), config.clock());
        ProductService products = new ProductService(new ProductRepository(db.jdbi(), bus), members, audit, config.clock());
        this.devices = new DeviceService(deviceRepo, new ClaimCodeRepository(db.jdbi()), bus, config.clock(), products, audit);
        ProductDevices fleet = new ProductDevices(products, new ProductDeviceRepository(db.jdbi(), !db.postgres()), devices, audit,
                config.clock());
        GroupService groups = new GroupService(products, new GroupRepository(db.jdbi()), audit, config.clock());
        this.health = Health.create(db.jdbi(), json, config, nodeId);
        this.presence = new Presence(deviceRepo, config.clock(), nodeId, config.lastHeardInterval(), health.presenceListener());
        int stale = presence.reset();
        if (stale > 0) log.info("{} devices from an earlier run of this node are now offline", stale);
        EventCodec codec = new EventCodec(json);
        OrgService orgs = new OrgService(new OrgRepository(db.jdbi(), members), products, accounts, auth, bus, audit,
                config.clock());
        this.eventHistory = io.boson.events.EventHistory.create(db.jdbi(), bus, config.clock(), config.eventRetention(),
                config.eventFlushInterval(), nodeId, config.clustered());
        eventHistory.bindMetrics(registry);
        this.webhooks = io.boson.webhooks.Webhooks.create(config.webhooks(), db.jdbi(), json, bus, codec, products, fleet,
                deviceRepo, audit, health.fleetCounters(), registry, config.clock());
        // Events published through the webhooks' tap fire the webhooks of the node they entered.
        EventService events = new EventService(webhooks.eventBus(), codec, fleet, products, orgs, config.clock(), eventHistory);
        this.usage = UsageService.create(config.usage(), db.jdbi(), db.postgres(), products, events, audit, config.clock());
        // Fleet health's Data Operations and cellular series hear of each count as usage makes it.
        usage.meter().tap((deviceId, ops, bytes) -> {
            if (ops > 0) health.fleetCounters().count(deviceId, io.boson.health.FleetMetric.DATA_OPERATIONS, ops);
            if (bytes > 0) health.fleetCounters().count(deviceId, io.boson.health.FleetMetric.CELLULAR_BYTES, bytes);
        });
        CallService calls = new CallService(fleet, bus, json, config.requestTimeout(), usage, registry, health.fleetCounters());
        this.streams = new EventStreams(events, bus, config.clock(), config.sseKeepAlive(), registry, codec);
        Tokens tokens = new Tokens(auth);
        FirmwareRepository firmwareRepo = new FirmwareRepository(db.jdbi());
        this.rollouts = io.boson.rollouts.Rollouts.prepare(db.jdbi(), audit, events, json, bus, config.clock());
        OtaDelivery ota = new OtaDelivery(firmwareRepo, devices, events, json, config.clock(), registry, health.fleetCounters(),
                rollouts.targets());
        FirmwareStore firmwareStore = new FirmwareStore(products, firmwareRepo, audit, config.clock(), config.firmwareMaxBytes());
        FirmwareService firmware = new FirmwareService(products, fleet, devices, firmwareRepo, firmwareStore, ota, bus, audit,
                config.clock(), rollouts.targets());
        rollouts.start(products, firmwareRepo, firmware, nodeId);
        DeviceFirmwareJson firmwareJson = new DeviceFirmwareJson(firmware);
        this.gateway = new MqttGateway(devices, fleet, presence, events, codec, bus, json, config.clock(), config.requestTimeout(), ota,
                usage, registry, health.fleetCounters(), config.deviceConnections() == null
                        ? io.boson.gateway.ConnectionLimit.automatic(io.boson.gateway.ConnectionLimit.DEFAULT_CONNECT_TIMEOUT)
                        : config.deviceConnections())
                .start(config.bindHost(), config.mqttPort());
        health.connectedDevices(gateway::connectedDeviceIds);
        this.tls = tlsIdentity(config);
        if (tls != null) gateway.startTls(config.bindHost(), config.mqttTlsPort(), tls.certificatePem(), tls.keyPem(),
                config.deviceCa());
        DeviceJson deviceJson = new DeviceJson(json);
        // deviceKeys and serverKey are made below; the Device OS endpoint starts once they are.
        this.serverKey = io.boson.deviceos.ServerKey.loadOrCreate(db.jdbi(), config.clock());
        this.deviceKeys = new io.boson.deviceos.DeviceKeys(new io.boson.deviceos.DeviceKeyRepository(db.jdbi(), db.postgres()),
                devices, deviceRepo, products, bus, audit, config.clock());
        this.limits = new RequestLimits(config.apiLimits(), config.clock(), bus, json, nodeId);
        this.http = new HttpApi(json, limits, List.of(
                new AuthRoutes(auth, tokens, json),
                new EventRoutes(events, streams, tokens, json, limits),
                new io.boson.events.EventHistoryRoutes(events, eventHistory, tokens),
                new DeviceRoutes(devices, calls, deviceJson, tokens, json, config.clock(), firmware, firmwareJson),
                new ProductRoutes(products, orgs, tokens, json),
                new OrgRoutes(orgs, tokens, json),
                new ProductDeviceRoutes(fleet, groups, calls, deviceJson, tokens, json, config.clock(), firmware, firmwareJson),
                new FirmwareRoutes(firmwareStore, firmware, tokens, json),
                rollouts.routes(tokens, json),
                new GroupRoutes(groups, tokens, json, firmware::devicesChanged),
                new TeamRoutes(new TeamService(products, members, accounts, auth, bus, audit, config.clock()), tokens, json),
                new AuditRoutes(audit, products, tokens),
                new ClientRoutes(new ClientService(new ClientRepository(db.jdbi()), products, audit, config.clock(), auth), tokens, json),
                new CustomerRoutes(new CustomerService(accounts, auth, products, deviceRepo, devices, audit, config.clock()),
                        tokens, json),
                new CallRoutes(calls, tokens, json),
                new io.boson.deviceos.DeviceOsRoutes(serverKey, deviceKeys, tokens, json),
                webhooks.routes(tokens, json),
                new UsageRoutes(new io.boson.usage.ServiceAgreements(usage, db.jdbi(), orgs, products, fleet), tokens, json),
                health.diagnosticsRoutes(fleet, devices, calls, tokens, json),
                health.fleetHealthRoutes(products, tokens),
                health.operationsRoutes(metrics, new OperationsRoutes.Readiness(() -> db.reachable(READY_TIMEOUT),
                        bus::reachable, () -> closing), config.bindHost())),
                tls == null || !config.httpsEnabled() ? null
                        : new HttpApi.Https(config.bindHost(), config.httpPort(), config.httpsPort(), tls));
        if (tls != null && config.httpsEnabled()) http.start();
        else http.start(config.bindHost(), config.httpPort());
        this.deviceOs = config.coapPort() < 0 ? null : startDeviceOs(config, json);
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "boson-timers");
            t.setDaemon(true);
            return t;
        });
        long flush = config.presenceFlushInterval().toMillis();
        timers.scheduleWithFixedDelay(this::flushQuietly, flush, flush, TimeUnit.MILLISECONDS);
        timers.scheduleWithFixedDelay(this::cleanClaimCodesQuietly, 1, 60, TimeUnit.MINUTES);
        timers.scheduleWithFixedDelay(this::pruneQuietly, 5, 60, TimeUnit.MINUTES);
        if (config.clustered()) {
            nodeWatch = health.nodeWatch(deviceRepo, presence, events, bus, nodeId, gateway::reassertSessions);
            long beat = config.health().nodeHeartbeat().toMillis();
            timers.scheduleWithFixedDelay(this::watchNodesQuietly, 0, beat, TimeUnit.MILLISECONDS);
        } else {
            nodeWatch = null;
        }
        timers.scheduleWithFixedDelay(limits::share, 1, 1, TimeUnit.SECONDS);
        long rolloutTick = io.boson.rollouts.RolloutScheduler.TICK.toMillis();
        timers.scheduleWithFixedDelay(this::tickRolloutsQuietly, rolloutTick, rolloutTick, TimeUnit.MILLISECONDS);
        long usageFlush = config.usage().flushInterval().toMillis();
        timers.scheduleWithFixedDelay(this::flushUsageQuietly, usageFlush, usageFlush, TimeUnit.MILLISECONDS);
    }

    /**
     * The certificate for HTTPS and MQTT over TLS: the one configured, else, when HTTPS is asked for
     * without one, a self-signed one made on first start and kept in the data directory.
     */
    private io.boson.deviceos.DeviceOsGateway startDeviceOs(Config config, com.fasterxml.jackson.databind.ObjectMapper json)
            throws InterruptedException {
        try {
            return new io.boson.deviceos.DeviceOsGateway(gateway, deviceKeys, serverKey, json, config.clock(),
                    new java.net.InetSocketAddress(config.bindHost(), config.coapPort()));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot serve Device OS devices on udp port " + config.coapPort() + ": " + e.getMessage(), e);
        }
    }

    private static io.boson.tls.TlsIdentity tlsIdentity(Config config) {
        if (config.tlsEnabled()) return io.boson.tls.TlsIdentity.load(config.tlsCert(), config.tlsKey());
        if (!config.httpsEnabled()) return null;
        io.boson.tls.TlsIdentity generated = io.boson.tls.TlsIdentity.selfSigned(config.dataDir().resolve("tls"),
                List.of(config.bindHost()));
        log.info("TLS with the self-signed certificate {} (SHA-256 {}); give --tls-cert and --tls-key to use your own",
                generated.certificatePem().toAbsolutePath(), generated.fingerprint());
        return generated;
    }

    private void flushUsageQuietly() {
        try {
            usage.flush();
        } catch (RuntimeException e) {
            log.warn("could not flush usage counts (kept for the next flush): {}", e.toString());
        }
    }

    /**
     * A node's name must survive restarts, so that a node that crashed clears its own stale
     * sessions when it comes back: the configured one, else the host name (several nodes on one
     * host must set --node-id).
     */
    private static String nodeId(Config config) {
        if (config.nodeId() != null && !config.nodeId().isBlank()) return config.nodeId();
        if (config.embeddedStorage()) return "embedded";
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "node-" + Secrets.randomHex(4);
        }
    }

    public static Boson start(Config config) {
        try {
            return new Boson(config);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting", e);
        }
    }

    private void tickRolloutsQuietly() {
        try {
            rollouts.scheduler().tick();
        } catch (RuntimeException e) {
            log.warn("could not drive rollouts: {}", e.toString());
        }
    }

    private void cleanClaimCodesQuietly() {
        try {
            devices.deleteExpiredClaimCodes();
        } catch (RuntimeException e) {
            log.warn("could not delete expired claim codes: {}", e.toString());
        }
    }

    private void flushQuietly() {
        try {
            presence.flush();
        } catch (RuntimeException e) {
            log.warn("could not flush device presence: {}", e.toString());
        }
        health.flush();
    }

    private void watchNodesQuietly() {
        try {
            nodeWatch.tick();
        } catch (RuntimeException e) {
            log.warn("could not check the other nodes: {}", e.toString());
        }
    }

    private void pruneQuietly() {
        try {
            health.prune();
        } catch (RuntimeException e) {
            log.warn("could not prune device history: {}", e.toString());
        }
    }

    /** Every API route, "METHOD /path" (the route-walk test). */
    public List<String> routes() {
        return http.routes();
    }

    public int httpPort() {
        return http.port();
    }

    public int mqttPort() {
        return gateway.port();
    }

    /** The MQTT-over-TLS port, or -1 when TLS is not configured. */
    public int mqttTlsPort() {
        return gateway.tlsPort();
    }

    /** The HTTPS port, or -1 when HTTPS is not served. */
    public int httpsPort() {
        return http.httpsPort();
    }

    /** The TLS certificate in use, if any. */
    public Optional<io.boson.tls.TlsIdentity> tls() {
        return Optional.ofNullable(tls);
    }

    public Config config() {
        return config;
    }

    public Optional<String> generatedAdminPassword() {
        return generatedAdminPassword;
    }

    public AuthService auth() {
        return auth;
    }

    public MqttGateway gateway() {
        return gateway;
    }

    public Presence presence() {
        return presence;
    }

    public Database database() {
        return db;
    }

    /** Device OS's UDP port, or -1 when it is off. */
    public int coapPort() {
        return deviceOs == null ? -1 : deviceOs.address().getPort();
    }

    public io.boson.deviceos.DeviceKeys deviceKeys() {
        return deviceKeys;
    }

    public DeviceService devices() {
        return devices;
    }

    public RequestLimits requestLimits() {
        return limits;
    }

    public EventStreams eventStreams() {
        return streams;
    }

    public UsageService usage() {
        return usage;
    }

    public Health health() {
        return health;
    }

    public io.boson.events.EventHistory eventHistory() {
        return eventHistory;
    }

    public io.boson.rollouts.Rollouts rollouts() {
        return rollouts;
    }

    /** The port of {@code /metrics} when served apart from the API ({@code --metrics-port}), else -1. */
    public int metricsPort() {
        return health.metricsPort();
    }

    @Override
    public void close() {
        closing = true;
        // Not shutdownNow: a flush interrupted half-way would fail, and the counts it drained with it.
        // The periodic tasks stop here; one that is running finishes first.
        timers.shutdown();
        try {
            if (!timers.awaitTermination(10, TimeUnit.SECONDS)) log.warn("a periodic task was still running at shutdown");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        streams.close();
        if (deviceOs != null) deviceOs.close();
        gateway.close();
        http.close();
        usage.close();
        webhooks.close();
        eventHistory.close();
        presence.flush();
        health.flush();
        if (nodeWatch != null) {
            try {
                nodeWatch.leave();
            } catch (RuntimeException e) {
                log.warn("could not leave the cluster table: {}", e.toString());
            }
        }
        bus.close();
        health.close();
        db.close();
        metrics.close();
    }
}
