package io.boson.health;

import io.javalin.Javalin;

/** {@code /metrics} and {@code /health/*} on a port of their own ({@code --metrics-port}), apart from the API. */
final class MetricsServer implements AutoCloseable {

    private final Javalin app;

    MetricsServer(OperationsRoutes routes, String host, int port) {
        app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            routes.register(cfg.routes);
        }).start(host, port);
    }

    int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }
}
