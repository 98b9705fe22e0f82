package io.boson.health;

import io.boson.http.HttpApi;
import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * For operators and orchestrators, without authentication (serve them on a private address or a
 * separate {@code --metrics-port}): {@code GET /metrics} (Prometheus text format),
 * {@code GET /health/live} (the process answers) and {@code GET /health/ready} (503 unless the
 * database and the bus are reachable and the node is not shutting down).
 */
public final class OperationsRoutes implements HttpApi.Routes {

    /** The content type of Prometheus text format 0.0.4. */
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final NodeMetrics metrics;
    private final Readiness readiness;

    /** What readiness asks, each answered within a short timeout. */
    public record Readiness(BooleanSupplier database, BooleanSupplier bus, BooleanSupplier shuttingDown) {
    }

    OperationsRoutes(NodeMetrics metrics, Readiness readiness) {
        this.metrics = metrics;
        this.readiness = readiness;
    }

    @Override
    public void register(JavalinDefaultRoutingApi r) {
        r.get("/metrics", ctx -> ctx.contentType(PROMETHEUS_TEXT).result(metrics.scrape()));
        r.get("/health/live", ctx -> ctx.json(Map.of("status", "live")));
        r.get("/health/ready", this::ready);
    }

    private void ready(Context ctx) {
        boolean stopping = readiness.shuttingDown().getAsBoolean();
        boolean db = !stopping && readiness.database().getAsBoolean();
        boolean bus = !stopping && readiness.bus().getAsBoolean();
        boolean ready = !stopping && db && bus;
        Map<String, Object> checks = new LinkedHashMap<>();
        checks.put("database", db ? "up" : "down");
        checks.put("bus", bus ? "up" : "down");
        checks.put("shutting_down", stopping);
        ctx.status(ready ? 200 : 503).json(Map.of("status", ready ? "ready" : "unready", "checks", checks));
    }
}
