package io.boson.health;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.boson.devices.Device;
import io.boson.devices.DeviceJson;
import io.boson.devices.DeviceRef;
import io.boson.http.HttpApi;
import io.boson.http.Tokens;
import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Particle's diagnostics endpoints ({@code /v1/diagnostics/:id/last}, {@code ?start_date&end_date},
 * {@code /metadata}, the refresh {@code POST …/update}) for the caller's devices and, under
 * {@code /v1/products/:p/diagnostics/…}, for a product's team; plus two Boson extensions: the
 * connection history ({@code …/connections}) and charts of one vital ({@code …/charts/:metric}).
 */
public final class DiagnosticsRoutes implements HttpApi.Routes {

    private final Diagnostics diagnostics;
    private final java.util.function.ToLongFunction<Device> droppedUnread;
    private final Tokens tokens;
    private final ObjectMapper json;

    /** @param droppedUnread messages the cloud dropped for a device that did not read them (DeviceService) */
    public DiagnosticsRoutes(Diagnostics diagnostics, java.util.function.ToLongFunction<Device> droppedUnread, Tokens tokens,
                             ObjectMapper json) {
        this.diagnostics = diagnostics;
        this.droppedUnread = droppedUnread;
        this.tokens = tokens;
        this.json = json;
    }

    @Override
    public void register(JavalinDefaultRoutingApi r) {
        for (String prefix : new String[] {"/v1/diagnostics/{id}", "/v1/products/{product}/diagnostics/{id}"}) {
            r.get(prefix + "/last", ctx -> ctx.json(Map.of("diagnostics", report(diagnostics.last(tokens.principal(ctx), ref(ctx))))));
            r.get(prefix, this::history);
            r.get(prefix + "/metadata", this::metadata);
            r.get(prefix + "/connections", this::connections);
            r.get(prefix + "/charts/{metric}", this::chart);
            r.post(prefix + "/update", ctx -> {
                diagnostics.refresh(tokens.principal(ctx), ref(ctx));
                ctx.status(202).json(Map.of("ok", true));
            });
        }
    }

    private static DeviceRef ref(Context ctx) {
        return ctx.pathParamMap().containsKey("product")
                ? DeviceRef.inProduct(ctx.pathParam("product"), ctx.pathParam("id")) : DeviceRef.owned(ctx.pathParam("id"));
    }

    /** The last report, with the cloud's own count of events it dropped for this device (protocol section 2). */
    private Map<String, Object> report(Device d) throws JsonProcessingException {
        ObjectNode payload = d.vitalsJson() == null ? json.createObjectNode() : (ObjectNode) json.readTree(d.vitalsJson());
        payload.put("rate_limited", d.rateLimited());
        // Boson extension: messages the cloud dropped because the device did not read them.
        payload.put("dropped_unread", droppedUnread.applyAsLong(d));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("updated_at", DeviceJson.iso(d.vitalsAt()));
        out.put("deviceID", d.id());
        out.put("payload", payload);
        return out;
    }

    private void history(Context ctx) throws JsonProcessingException {
        Diagnostics.Page page = page(ctx, HistoryEntry.Kind.VITALS);
        List<Map<String, Object>> out = new ArrayList<>();
        for (HistoryEntry e : page.entries()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("updated_at", Dates.iso(e.at()));
            m.put("deviceID", e.deviceId());
            m.put("payload", json.readTree(e.payload()));
            out.add(m);
        }
        ctx.json(Map.of("diagnostics", out, "meta", meta(page)));
    }

    private void connections(Context ctx) {
        Diagnostics.Page page = page(ctx, HistoryEntry.Kind.CONNECT);
        Diagnostics.Page ends = page(ctx, HistoryEntry.Kind.DISCONNECT);
        List<Map<String, Object>> connects = new ArrayList<>();
        for (HistoryEntry e : page.entries()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("connected_at", Dates.iso(e.at()));
            m.put("ip_address", e.detail());
            connects.add(m);
        }
        List<Map<String, Object>> disconnects = new ArrayList<>();
        for (HistoryEntry e : ends.entries()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("disconnected_at", Dates.iso(e.at()));
            m.put("reason", e.detail());
            disconnects.add(m);
        }
        ctx.json(Map.of("connects", connects, "disconnects", disconnects, "meta", meta(page)));
    }

    private Diagnostics.Page page(Context ctx, HistoryEntry.Kind kind) {
        return diagnostics.history(tokens.principal(ctx), ref(ctx), kind, ctx.queryParam("start_date"),
                ctx.queryParam("end_date"), ctx.queryParam("page"), ctx.queryParam("per_page"));
    }

    private static Map<String, Object> meta(Diagnostics.Page page) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("page", page.page());
        m.put("per_page", page.perPage());
        m.put("total", page.total());
        m.put("total_pages", (page.total() + page.perPage() - 1) / page.perPage());
        return m;
    }

    private void metadata(Context ctx) {
        Diagnostics.Metadata md = diagnostics.metadata(tokens.principal(ctx), ref(ctx));
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("uptime", field("Uptime", "s"));
        fields.put("mem_used", field("Memory used", "bytes"));
        fields.put("mem_total", field("Memory total", "bytes"));
        fields.put("signal_strength", field("Signal strength", "%"));
        fields.put("signal_quality", field("Signal quality", "%"));
        fields.put("rtt", field("Round-trip time", "ms"));
        fields.put("battery_charge", field("Battery charge", "%"));
        fields.put("battery_state", Map.of("title", "Battery state", "type", "string"));
        fields.put("power_source", Map.of("title", "Power source", "type", "string"));
        fields.put("disconnects", field("Disconnects", "count"));
        fields.put("connect_attempts", field("Connection attempts", "count"));
        fields.put("rate_limited", field("Events dropped by the rate limit", "count"));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("deviceID", md.device().id());
        m.put("retention_days", md.retention().toDays());
        m.put("records", md.extent().records());
        m.put("oldest_at", md.extent().oldest() == null ? null : Dates.iso(md.extent().oldest()));
        m.put("newest_at", md.extent().newest() == null ? null : Dates.iso(md.extent().newest()));
        m.put("fields", fields);
        m.put("charts", List.of("signal_strength", "signal_quality", "rtt", "memory_used", "battery_charge"));
        ctx.json(Map.of("diagnostics_metadata", m));
    }

    private static Map<String, Object> field(String title, String units) {
        return Map.of("title", title, "units", units, "type", "number");
    }

    private void chart(Context ctx) {
        Diagnostics.Chart c = diagnostics.chart(tokens.principal(ctx), ref(ctx), ctx.pathParam("metric"),
                ctx.queryParam("start_date"), ctx.queryParam("end_date"), ctx.queryParam("bucket"));
        List<Map<String, Object>> points = new ArrayList<>();
        for (HistoryRepository.Point p : c.points()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("time", Dates.iso(p.bucketStart()));
            m.put("min", p.min());
            m.put("max", p.max());
            m.put("avg", p.avg());
            m.put("count", p.count());
            points.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("metric", c.metric());
        out.put("bucket", Buckets.name(c.bucket()));
        out.put("start_date", Dates.iso(c.range().from()));
        out.put("end_date", Dates.iso(c.range().to()));
        out.put("points", points);
        ctx.json(out);
    }

}
