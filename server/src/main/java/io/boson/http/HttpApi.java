package io.boson.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.boson.auth.OAuthException;
import io.boson.errors.DomainException;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.config.SizeUnit;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import io.javalin.router.JavalinDefaultRoutingApi;
import org.eclipse.jetty.http.UriCompliance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The HTTP server: Particle's Cloud API (and later the console) on one port. Error mapping lives
 * here and only here: every domain error becomes a status and Particle's JSON shape.
 */
public final class HttpApi implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HttpApi.class);

    /** A feature's routes. */
    public interface Routes {
        void register(JavalinDefaultRoutingApi routes);
    }

    /** The largest file a multipart request may carry (firmware has its own, smaller, limit). */
    static final int MAX_UPLOAD_MIB = 16;

    private final Javalin app;
    private static final Logger requests = LoggerFactory.getLogger("io.boson.http.requests");

    private static String routeOf(Context ctx) {
        try {
            return ctx.endpoint().path;
        } catch (RuntimeException e) {
            return "(none)";
        }
    }

    public HttpApi(ObjectMapper json, List<Routes> features) {
        this.app = Javalin.create(cfg -> {
            cfg.concurrency.useVirtualThreads = true;
            cfg.http.compressionStrategy = CompressionStrategy.NONE;
            cfg.http.maxRequestSize = 16L * 1024 * 1024;
            cfg.jetty.multipartConfig.maxFileSize(MAX_UPLOAD_MIB, SizeUnit.MB);
            cfg.jetty.multipartConfig.maxTotalRequestSize(32, SizeUnit.MB);
            cfg.jetty.multipartConfig.maxInMemoryFileSize(1, SizeUnit.MB);
            cfg.startup.showJavalinBanner = false;
            // One line per request, key=value: the route's template, never its values, query or body
            // (a token can be in DELETE /v1/access_tokens/:token or ?access_token=).
            cfg.requestLogger.http((ctx, ms) -> requests.info("method={} route={} status={} ms={} ip={}", ctx.method(),
                    routeOf(ctx), ctx.statusCode(), Math.round(ms), ctx.ip()));
            cfg.jsonMapper(new JavalinJackson(json, true));
            // particle-api-js encodes "/" in event prefixes as %2F; Jetty 12 rejects that by default.
            cfg.jetty.modifyHttpConfiguration(http -> http.setUriCompliance(UriCompliance.LEGACY));
            cfg.jetty.modifyServletContextHandler(handler -> handler.getServletHandler().setDecodeAmbiguousURIs(true));
            cfg.routes.exception(DomainException.class, HttpApi::domainError);
            cfg.routes.exception(OAuthException.class, HttpApi::oauthError);
            cfg.routes.exception(HttpResponseException.class, (e, ctx) ->
                    ctx.status(e.getStatus()).json(apiError(e.getMessage(), null)));
            cfg.routes.exception(Exception.class, (e, ctx) -> {
                if (badRequest(e, ctx)) return;
                log.error("unhandled error on {} {}", ctx.method(), ctx.path(), e);
                ctx.status(500).json(apiError("Internal server error", null));
            });
            cfg.routes.error(404, ctx -> {
                if (ctx.result() == null || ctx.result().isEmpty() || !ctx.result().startsWith("{")) {
                    ctx.json(apiError("Not found", "No such endpoint: " + ctx.method() + " " + ctx.path()));
                }
            });
            for (Routes r : features) r.register(cfg.routes);
        });
    }

    public HttpApi start(String host, int port) {
        app.start(host, port);
        return this;
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }

    static Map<String, Object> apiError(String error, String info) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ok", false);
        body.put("error", error);
        if (info != null) body.put("info", info);
        return body;
    }

    /**
     * A request Jetty could not take (an oversized or malformed multipart body surfaces as a
     * ServletException wrapping Jetty's HttpException): the client's fault, so 4xx, not 500.
     */
    private static boolean badRequest(Exception e, Context ctx) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.eclipse.jetty.http.HttpException http && http.getCode() >= 400 && http.getCode() < 500) {
                boolean tooLarge = http.getCode() == 413 || rootMessage(t).contains("size exceeded");
                ctx.status(tooLarge ? 413 : http.getCode()).json(apiError(tooLarge
                        ? "The request is too large: at most " + MAX_UPLOAD_MIB + " MiB per file" : "Malformed request body", null));
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable t) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) all.append(c.getMessage()).append(' ');
        return all.toString();
    }

    private static void domainError(DomainException e, Context ctx) {
        switch (e) {
            case DomainException.Unauthenticated u -> {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("error", u.missing() ? "invalid_request" : "invalid_token");
                body.put("error_description", u.getMessage());
                ctx.status(u.missing() ? 400 : 401).json(body);
            }
            case DomainException.NotFound n -> ctx.status(404).json(apiError(n.getMessage(), n.info()));
            case DomainException.Forbidden f -> ctx.status(403).json(apiError(f.getMessage(), null));
            case DomainException.Invalid i -> ctx.status(400).json(apiError(i.getMessage(), null));
            case DomainException.Conflict c -> ctx.status(409).json(apiError(c.getMessage(), null));
            case DomainException.DeviceOffline o -> ctx.status(404).json(apiError(o.getMessage(), null));
            case DomainException.DeviceTimeout t -> ctx.status(408).json(apiError(t.getMessage(), null));
            case DomainException.DeviceError d -> ctx.status(400).json(apiError(d.getMessage(), null));
            case DomainException.QuotaExceeded q -> ctx.status(429).json(apiError(q.getMessage(), null));
        }
    }

    private static void oauthError(OAuthException e, Context ctx) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", e.error());
        body.put("error_description", e.getMessage());
        ctx.header("Cache-Control", "no-store");
        if (e.error().equals("invalid_client")) ctx.header("WWW-Authenticate", "Basic realm=\"Service\"");
        ctx.status(e.status()).json(body);
    }
}
