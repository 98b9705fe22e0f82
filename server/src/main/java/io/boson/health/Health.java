package io.boson.health;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.boson.Config;
import io.boson.calls.CallService;
import io.boson.devices.DeviceAccess;
import io.boson.devices.DeviceService;
import io.boson.devices.Presence;
import io.boson.http.HttpApi;
import io.boson.http.Tokens;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;

/**
 * The health slice, wired in one place: each device's vitals history and the diagnostics API.
 * Its background work (writing the history, pruning) runs on the node's timer, never on the
 * device path.
 */
public final class Health {

    private static final Logger log = LoggerFactory.getLogger(Health.class);

    private final Config.Health config;
    private final Clock clock;
    private final Jdbi jdbi;
    private final HistoryRepository historyRepo;
    private final VitalsHistory history;

    private Health(Jdbi jdbi, ObjectMapper json, Config config) {
        this.config = config.health();
        this.clock = config.clock();
        this.jdbi = jdbi;
        this.historyRepo = new HistoryRepository(jdbi);
        this.history = new VitalsHistory(historyRepo, json, clock, this.config.retention());
    }

    public static Health create(Jdbi jdbi, ObjectMapper json, Config config) {
        return new Health(jdbi, json, config);
    }

    /** What Presence tells: nothing when fleet health is turned off. */
    public Presence.Listener presenceListener() {
        return config.enabled() ? history : Presence.Listener.NONE;
    }

    public HttpApi.Routes diagnosticsRoutes(DeviceAccess access, DeviceService devices, CallService calls, Tokens tokens,
                                            ObjectMapper json) {
        return new DiagnosticsRoutes(new Diagnostics(access, devices, calls, historyRepo, history, clock), tokens, json);
    }

    /** Liveness of the other nodes of a cluster, on the node's own monotonic clock. */
    public NodeWatch nodeWatch(io.boson.devices.DeviceRepository devices, Presence presence, io.boson.events.EventService events,
                               io.boson.bus.Bus bus, String nodeId) {
        return new NodeWatch(jdbi, devices, presence, events, bus, nodeId, config.nodeTimeout(), System::nanoTime);
    }

    /** Writes what the device path queued since the last flush (run every flush interval and at shutdown). */
    public void flush() {
        try {
            history.flush();
        } catch (RuntimeException e) {
            log.warn("could not write device history: {}", e.toString());
        }
    }

    /** Deletes history older than the retention (run hourly; tests call it after moving the clock). */
    public int prune() {
        return history.prune();
    }
}
