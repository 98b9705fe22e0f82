package io.boson.bench;

import io.javalin.Javalin;

/**
 * The floor of the start-up benchmark: a Javalin app with one route and nothing else (no database, no
 * MQTT), from the benchmark's fat jar, which holds the same libraries as the server's.
 * {@code java -cp boson-bench.jar io.boson.bench.HelloJavalin PORT}.
 */
final class HelloJavalin {

    private HelloJavalin() {
    }

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.concurrency.useVirtualThreads = true;
            cfg.routes.get("/v1/user", ctx -> ctx.json(java.util.Map.of("username", "hello")));
        }).start("127.0.0.1", port);
    }
}
