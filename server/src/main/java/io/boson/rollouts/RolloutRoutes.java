package io.boson.rollouts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.boson.devices.DeviceJson;
import io.boson.errors.DomainException;
import io.boson.http.Body;
import io.boson.http.HttpApi;
import io.boson.http.Tokens;
import io.javalin.router.JavalinDefaultRoutingApi;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code /v1/products/:product/rollouts…}: staged rollouts (a Boson extension; docs/api.md). */
public final class RolloutRoutes implements HttpApi.Routes {

    private final RolloutService rollouts;
    private final Tokens tokens;
    private final ObjectMapper json;

    RolloutRoutes(RolloutService rollouts, Tokens tokens, ObjectMapper json) {
        this.rollouts = rollouts;
        this.tokens = tokens;
        this.json = json;
    }

    @Override
    public void register(JavalinDefaultRoutingApi r) {
        String base = "/v1/products/{product}/rollouts";
        r.post(base, ctx -> {
            Body b = Body.of(ctx, json);
            List<String> groups = b.has("groups") ? b.strings("groups") : List.of();
            Integer wait = b.integer("wait_seconds");
            Boolean approval = b.bool("requires_approval");
            RolloutService.View v = rollouts.create(tokens.principal(ctx), ctx.pathParam("product"), new RolloutService.Spec(
                    b.integer("version"), groups, waves(b.node("waves")), wait == null ? null : wait.longValue(),
                    approval != null && approval));
            ctx.status(201).json(Map.of("ok", true, "rollout", of(v)));
        });
        r.get(base, ctx -> ctx.json(Map.of("rollouts", rollouts.list(tokens.principal(ctx), ctx.pathParam("product")).stream()
                .map(x -> of(new RolloutService.View(x, null))).toList())));
        r.get(base + "/{id}", ctx -> ctx.json(Map.of("rollout", of(rollouts.get(tokens.principal(ctx), ctx.pathParam("product"),
                ctx.pathParam("id"))))));
        r.get(base + "/{id}/devices", ctx -> {
            List<Map<String, Object>> out = new ArrayList<>();
            for (RolloutService.Member m : rollouts.members(tokens.principal(ctx), ctx.pathParam("product"), ctx.pathParam("id"))) {
                out.add(Map.of("id", m.deviceId(), "wave", m.wave() + 1, "status", m.status()));
            }
            ctx.json(Map.of("devices", out));
        });
        r.post(base + "/{id}/approve", ctx -> ctx.json(Map.of("ok", true, "rollout", of(rollouts.approve(tokens.principal(ctx),
                ctx.pathParam("product"), ctx.pathParam("id"))))));
        r.post(base + "/{id}/pause", ctx -> ctx.json(Map.of("ok", true, "rollout", of(rollouts.pause(tokens.principal(ctx),
                ctx.pathParam("product"), ctx.pathParam("id"))))));
        r.post(base + "/{id}/resume", ctx -> ctx.json(Map.of("ok", true, "rollout", of(rollouts.resume(tokens.principal(ctx),
                ctx.pathParam("product"), ctx.pathParam("id"))))));
        r.post(base + "/{id}/cancel", ctx -> ctx.json(Map.of("ok", true, "rollout", of(rollouts.cancel(tokens.principal(ctx),
                ctx.pathParam("product"), ctx.pathParam("id"))))));
    }

    private static List<RolloutService.WaveSpec> waves(JsonNode n) {
        if (n == null || n.isNull()) return null;
        if (!n.isArray()) throw DomainException.invalid("waves must be an array of {percent | group, success_threshold, error_threshold}");
        List<RolloutService.WaveSpec> out = new ArrayList<>();
        for (JsonNode w : n) {
            if (!w.isObject()) throw DomainException.invalid("each wave must be an object with a percent or a group");
            out.add(new RolloutService.WaveSpec(integer(w, "percent"), text(w, "group"), integer(w, "success_threshold"),
                    integer(w, "error_threshold")));
        }
        return out;
    }

    private static Integer integer(JsonNode w, String key) {
        JsonNode v = w.get(key);
        if (v == null || v.isNull()) return null;
        if (!v.canConvertToInt() || !(v.isIntegralNumber() || v.isTextual() && v.asText().matches("-?\\d{1,9}"))) {
            throw DomainException.invalid(key + " must be an integer");
        }
        return v.isTextual() ? Integer.valueOf(v.asText()) : v.asInt();
    }

    private static String text(JsonNode w, String key) {
        JsonNode v = w.get(key);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual() || v.asText().isBlank()) throw DomainException.invalid(key + " must be a group name");
        return v.asText();
    }

    static Map<String, Object> of(RolloutService.View v) {
        Rollout r = v.rollout();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("product_id", r.productId());
        m.put("version", r.version());
        m.put("state", r.state().wire());
        m.put("groups", r.targetGroups());
        m.put("requires_approval", r.requiresApproval());
        m.put("wait_seconds", r.waitMillis() / 1000);
        m.put("current_wave", r.currentWave() < 0 ? null : r.currentWave() + 1);
        m.put("next_wave_at", DeviceJson.iso(r.nextWaveAt()));
        m.put("pause_reason", r.pauseReason());
        m.put("created_at", DeviceJson.iso(r.createdAt()));
        m.put("updated_at", DeviceJson.iso(r.updatedAt()));
        // The node that drives the rollout, and until when its lease holds without renewal.
        m.put("driven_by", r.leaseOwner());
        m.put("lease_until", DeviceJson.iso(r.leaseUntil()));
        List<Map<String, Object>> waves = new ArrayList<>();
        for (Wave w : r.waves()) {
            Map<String, Object> wm = new LinkedHashMap<>();
            wm.put("wave", w.index() + 1);
            if (w.percent() != null) wm.put("percent", w.percent());
            if (w.group() != null) wm.put("group", w.group());
            wm.put("success_threshold", w.successThreshold());
            wm.put("error_threshold", w.errorThreshold());
            wm.put("started_at", DeviceJson.iso(w.startedAt()));
            if (v.waves() != null) {
                RolloutService.WaveCounts c = v.waves().get(w.index());
                wm.put("devices", Map.of("total", c.devices(), "pending", c.pending(), "offered", c.offered(),
                        "downloading", c.downloading(), "applied", c.applied(), "failed", c.failed()));
            }
            waves.add(wm);
        }
        m.put("waves", waves);
        return m;
    }
}
