package io.boson.rollouts;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.boson.audit.AuditLog;
import io.boson.bus.Bus;
import io.boson.events.EventService;
import io.boson.firmware.FirmwareRepository;
import io.boson.firmware.FirmwareService;
import io.boson.firmware.StagedTargets;
import io.boson.http.HttpApi;
import io.boson.http.Tokens;
import io.boson.products.ProductService;
import org.jdbi.v3.core.Jdbi;

import java.time.Clock;

/**
 * Wires the rollouts feature in two steps, because firmware and rollouts know each other: first
 * the {@link StagedTargets} firmware's precedence asks ({@link #prepare}), then, once firmware
 * exists, the service, the scheduler and the routes ({@link #start}).
 */
public final class Rollouts {

    private final RolloutRepository repo;
    private final RolloutLog log;
    private final RolloutTargets targets;
    private final Clock clock;
    private RolloutScheduler scheduler;
    private RolloutService service;

    private Rollouts(Jdbi jdbi, AuditLog audit, EventService events, ObjectMapper json, Bus bus, Clock clock) {
        this.repo = new RolloutRepository(jdbi);
        this.log = new RolloutLog(audit, events, json);
        this.targets = new RolloutTargets(repo, log, bus, clock);
        this.clock = clock;
    }

    public static Rollouts prepare(Jdbi jdbi, AuditLog audit, EventService events, ObjectMapper json, Bus bus, Clock clock) {
        return new Rollouts(jdbi, audit, events, json, bus, clock);
    }

    public StagedTargets targets() {
        return targets;
    }

    public Rollouts start(ProductService products, FirmwareRepository firmwareRepo, FirmwareService firmware, String nodeId) {
        this.scheduler = new RolloutScheduler(repo, targets, firmware, log, clock, nodeId);
        this.service = new RolloutService(products, firmwareRepo, repo, targets, scheduler, log, clock);
        return this;
    }

    public RolloutScheduler scheduler() {
        return scheduler;
    }

    public RolloutService service() {
        return service;
    }

    public HttpApi.Routes routes(Tokens tokens, ObjectMapper json) {
        return new RolloutRoutes(service, tokens, json);
    }
}
