package io.boson.rollouts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.boson.audit.AuditLog;
import io.boson.auth.Principal;
import io.boson.devices.Scope;
import io.boson.events.EventService;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Tells of every change of a rollout twice: in the product's audit log ({@code rollout.<change>},
 * by the caller or by {@code boson} when the scheduler made it) and as a {@code spark/rollout/<change>}
 * cloud event in the product's stream.
 */
final class RolloutLog {

    static final String EVENT_PREFIX = "spark/rollout/";

    private final AuditLog audit;
    private final EventService events;
    private final ObjectMapper json;

    RolloutLog(AuditLog audit, EventService events, ObjectMapper json) {
        this.audit = audit;
        this.events = events;
        this.json = json;
    }

    /** {@code caller} null: the cloud did it. {@code wave} is 0-based (null: none), shown 1-based. */
    void changed(Principal caller, Rollout r, String change, Integer wave, String reason) {
        String target = "rollout " + r.id();
        String details = "v" + r.version() + (wave == null ? "" : " wave " + (wave + 1)) + (reason == null ? "" : ": " + reason);
        if (caller == null) audit.recordProductSystem(r.productId(), "rollout." + change, target, details);
        else audit.record(caller, r.productId(), "rollout." + change, target, details);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", r.id());
        data.put("version", r.version());
        data.put("change", change);
        if (wave != null) data.put("wave", wave + 1);
        if (reason != null) data.put("reason", reason);
        try {
            events.cloud(Scope.product(r.productId()), EVENT_PREFIX + change, json.writeValueAsString(data));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
