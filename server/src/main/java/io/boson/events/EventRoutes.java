package io.boson.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.boson.auth.Principal;
import io.boson.devices.DeviceRef;
import io.boson.http.Body;
import io.boson.http.HttpApi;
import io.boson.http.RequestLimits;
import io.boson.http.Tokens;
import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;

import java.util.Map;
import java.util.function.BiFunction;

/** Publishing events and Particle's SSE event streams. Registered before the device routes. */
public final class EventRoutes implements HttpApi.Routes {

    private final EventService events;
    private final EventStreams streams;
    private final RequestLimits limits;
    private final Tokens tokens;
    private final ObjectMapper json;

    public EventRoutes(EventService events, EventStreams streams, Tokens tokens, ObjectMapper json, RequestLimits limits) {
        this.limits = limits;
        this.events = events;
        this.streams = streams;
        this.tokens = tokens;
        this.json = json;
    }

    @Override
    public void register(JavalinDefaultRoutingApi r) {
        r.post("/v1/devices/events", ctx -> {
            Principal p = tokens.principal(ctx);
            Body b = Body.of(ctx, json);
            events.publishFromApi(p, b.string("name"), b.string("data"), b.integer("ttl"));
            ctx.json(Map.of("ok", true));
        });
        // <prefix> may contain "/", raw or encoded as %2F (particle-api-js encodes it).
        r.get("/v1/events", ctx -> stream(ctx, (p, prefix) -> events.mine(p, prefix)));
        r.get("/v1/events/<prefix>", ctx -> stream(ctx, (p, prefix) -> events.mine(p, prefix)));
        r.get("/v1/devices/events", ctx -> stream(ctx, (p, prefix) -> events.mine(p, prefix)));
        r.get("/v1/devices/events/<prefix>", ctx -> stream(ctx, (p, prefix) -> events.mine(p, prefix)));
        r.get("/v1/devices/{id}/events",
                ctx -> stream(ctx, (p, prefix) -> events.device(p, DeviceRef.owned(ctx.pathParam("id")), prefix)));
        r.get("/v1/devices/{id}/events/<prefix>",
                ctx -> stream(ctx, (p, prefix) -> events.device(p, DeviceRef.owned(ctx.pathParam("id")), prefix)));
        r.post("/v1/products/{product}/events", ctx -> {
            Principal p = tokens.principal(ctx);
            Body b = Body.of(ctx, json);
            events.publishToProduct(p, ctx.pathParam("product"), b.string("name"), b.string("data"), b.integer("ttl"));
            ctx.json(Map.of("ok", true));
        });
        r.get("/v1/products/{product}/events",
                ctx -> stream(ctx, (p, prefix) -> events.product(p, ctx.pathParam("product"), prefix)));
        r.get("/v1/products/{product}/events/<prefix>",
                ctx -> stream(ctx, (p, prefix) -> events.product(p, ctx.pathParam("product"), prefix)));
        r.post("/v1/orgs/{org}/events", ctx -> {
            Principal p = tokens.principal(ctx);
            Body b = Body.of(ctx, json);
            events.publishToOrg(p, ctx.pathParam("org"), b.string("name"), b.string("data"), b.integer("ttl"));
            ctx.json(Map.of("ok", true));
        });
        r.get("/v1/orgs/{org}/events", ctx -> stream(ctx, (p, prefix) -> events.org(p, ctx.pathParam("org"), prefix)));
        r.get("/v1/orgs/{org}/events/<prefix>", ctx -> stream(ctx, (p, prefix) -> events.org(p, ctx.pathParam("org"), prefix)));
        // particle-api-js puts the org before a product's path; the product's own check decides.
        r.get("/v1/orgs/{org}/products/{product}/events",
                ctx -> stream(ctx, (p, prefix) -> events.product(p, ctx.pathParam("product"), prefix)));
        r.get("/v1/orgs/{org}/products/{product}/events/<prefix>",
                ctx -> stream(ctx, (p, prefix) -> events.product(p, ctx.pathParam("product"), prefix)));
        r.get("/v1/products/{product}/devices/{id}/events", ctx -> stream(ctx, (p, prefix) -> events.device(p,
                DeviceRef.inProduct(ctx.pathParam("product"), ctx.pathParam("id")), prefix)));
        r.get("/v1/products/{product}/devices/{id}/events/<prefix>", ctx -> stream(ctx, (p, prefix) -> events.device(p,
                DeviceRef.inProduct(ctx.pathParam("product"), ctx.pathParam("id")), prefix)));
    }

    private void stream(Context ctx, BiFunction<Principal, String, EventService.Filter> filterFor) throws Exception {
        Principal p = tokens.principal(ctx);
        String prefix = ctx.pathParamMap().containsKey("prefix") ? ctx.pathParam("prefix") : null;
        EventService.Filter filter = filterFor.apply(p, prefix);
        // Browsers' EventSource send the header on reconnect; the parameter is for clients that cannot set it.
        String lastEventId = ctx.header("Last-Event-ID");
        if (lastEventId == null) lastEventId = ctx.queryParam("last_event_id");
        try {
            streams.cursor(filter, lastEventId);
        } catch (IllegalArgumentException e) {
            throw io.boson.errors.DomainException.invalid("Last-Event-ID is not an event id of this stream: " + e.getMessage());
        }
        AutoCloseable slot = limits.openStream(ctx.ip());
        SseStream stream = streams.open(ctx.res(), p, filter, lastEventId, () -> closeQuietly(slot));
        // The request stays open, without a thread, until the stream ends (no timeout: a stream is long-lived).
        ctx.future(() -> {
            ctx.req().getAsyncContext().setTimeout(0);
            return stream.goLive();
        });
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // releasing a counted slot does not fail
        }
    }
}
