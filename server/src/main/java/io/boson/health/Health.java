package io.boson.health;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.boson.Config;
import io.boson.bus.Bus;
import io.boson.calls.CallService;
import io.boson.devices.DeviceAccess;
import io.boson.devices.DeviceRepository;
import io.boson.devices.DeviceService;
import io.boson.devices.Presence;
import io.boson.events.EventService;
import io.boson.http.HttpApi;
import io.boson.http.Tokens;
import io.boson.products.ProductService;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Collection;
import java.util.function.Supplier;

/**
 * The health slice, wired in one place: each device's vitals history and the diagnostics API,
 * fleet-health counters and series, node liveness in a cluster, and the operator endpoints
 * ({@code /metrics}, {@code /health/*}). Its background work (writing history and counters,
 * pruning, beating) runs on the node's timer, never on the device path.
 */
public final class Health {

    private static final Logger log = LoggerFactory.getLogger(Health.class);

    private final Config.Health config;
    private final Clock clock;
    private final Jdbi jdbi;
    private final HistoryRepository historyRepo;
    private final VitalsHistory history;
    private final FleetRepository fleetRepo;
    private final FleetCounters counters;
    private MetricsServer metricsServer;

    private Health(Jdbi jdbi, ObjectMapper json, Config config, String nodeId) {
        this.config = config.health();
        this.clock = config.clock();
        this.jdbi = jdbi;
        this.historyRepo = new HistoryRepository(jdbi);
        this.history = new VitalsHistory(historyRepo, json, clock, this.config.retention());
        this.fleetRepo = new FleetRepository(jdbi, nodeId);
        this.counters = new FleetCounters(fleetRepo, clock, this.config.enabled());
    }

    public static Health create(Jdbi jdbi, ObjectMapper json, Config config, String nodeId) {
        return new Health(jdbi, json, config, nodeId);
    }

    /** What Presence tells (history and the connect/disconnect series): nothing when fleet health is off. */
    public Presence.Listener presenceListener() {
        if (!config.enabled()) return Presence.Listener.NONE;
        return new Presence.Listener() {
            @Override
            public void connected(String deviceId, long at, String remoteAddress) {
                history.connected(deviceId, at, remoteAddress);
                counters.connected(deviceId, at, remoteAddress);
            }

            @Override
            public void disconnected(String deviceId, long at, String reason) {
                history.disconnected(deviceId, at, reason);
                counters.disconnected(deviceId, at, reason);
            }

            @Override
            public void vitals(String deviceId, long at, String json) {
                history.vitals(deviceId, at, json);
            }

            @Override
            public void described(String deviceId) {
                counters.described(deviceId);
            }
        };
    }

    /** The hot counters the gateway, calls and OTA count into (and usage metering, for Data Operations). */
    public FleetCounters fleetCounters() {
        return counters;
    }

    /** Where the online gauge finds the devices connected to this node. */
    public void connectedDevices(Supplier<Collection<String>> source) {
        counters.connectedDevices(source);
    }

    public HttpApi.Routes diagnosticsRoutes(DeviceAccess access, DeviceService devices, CallService calls, Tokens tokens,
                                            ObjectMapper json) {
        return new DiagnosticsRoutes(new Diagnostics(access, devices, calls, historyRepo, history, clock), devices::droppedUnread,
                tokens, json);
    }

    public HttpApi.Routes fleetHealthRoutes(ProductService products, Tokens tokens) {
        return new FleetHealthRoutes(new FleetHealth(products, fleetRepo, clock, config.retention()), tokens);
    }

    /** {@code /metrics} and {@code /health/*} for the API port; also served on {@code --metrics-port} when set. */
    public HttpApi.Routes operationsRoutes(NodeMetrics metrics, OperationsRoutes.Readiness readiness, String host) {
        OperationsRoutes routes = new OperationsRoutes(metrics, readiness);
        if (config.metricsPort() >= 0) metricsServer = new MetricsServer(routes, host, config.metricsPort());
        return routes;
    }

    /** The separate metrics port, or -1 when /metrics is served on the API port only. */
    public int metricsPort() {
        return metricsServer == null ? -1 : metricsServer.port();
    }

    /** Liveness of the other nodes of a cluster, on the node's own monotonic clock. */
    public NodeWatch nodeWatch(DeviceRepository devices, Presence presence, EventService events, Bus bus, String nodeId,
                               Runnable revived) {
        return new NodeWatch(jdbi, devices, presence, events, bus, nodeId, config.nodeTimeout(), System::nanoTime, revived);
    }

    /** Writes what the device path queued and counted since the last flush (every flush interval and at shutdown). */
    public void flush() {
        try {
            history.flush();
        } catch (RuntimeException e) {
            log.warn("could not write device history: {}", e.toString());
        }
        try {
            counters.flush();
        } catch (RuntimeException e) {
            log.warn("could not write fleet health counters: {}", e.toString());
        }
    }

    /** Deletes history and series older than the retention (hourly; tests call it after moving the clock). */
    public int prune() {
        counters.prune(FleetHealth.MINUTES_KEPT, config.retention());
        return history.prune();
    }

    public void close() {
        if (metricsServer != null) metricsServer.close();
    }
}
