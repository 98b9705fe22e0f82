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
 * The HTTP server: Particle's Cloud API and the web console on one port. Error mapping lives
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
    /** The plain and the HTTPS connector, when HTTPS is served (Javalin then makes no connector of its own). */
    private volatile org.eclipse.jetty.server.ServerConnector plain;
    private volatile org.eclipse.jetty.server.ServerConnector https;
    private static final Logger requests = LoggerFactory.getLogger("io.boson.http.requests");

    private static String routeOf(Context ctx) {
        try {
            return ctx.endpoint().path;
        } catch (RuntimeException e) {
            return "(none)";
        }
    }

    /** Where HTTPS is served beside plain HTTP: the same API and streams, with {@code identity}'s certificate. */
    public record Https(String host, int httpPort, int httpsPort, io.boson.tls.TlsIdentity identity) {
    }

    public HttpApi(ObjectMapper json, RequestLimits limits, List<Routes> features) {
        this(json, limits, features, null);
    }

    public HttpApi(ObjectMapper json, RequestLimits limits, List<Routes> features, Https tls) {
        this.app = Javalin.create(cfg -> {
            if (tls != null) {
                cfg.jetty.addConnector((server, httpConfig) -> {
                    org.eclipse.jetty.server.ServerConnector c = new org.eclipse.jetty.server.ServerConnector(server,
                            new org.eclipse.jetty.server.HttpConnectionFactory(httpConfig));
                    c.setHost(tls.host());
                    c.setPort(tls.httpPort());
                    plain = c;
                    return c;
                });
                io.boson.tls.TlsIdentity identity = tls.identity();
                cfg.jetty.addConnector((server, httpConfig) -> {
                    char[] password = io.boson.auth.Secrets.randomHex(16).toCharArray();
                    org.eclipse.jetty.util.ssl.SslContextFactory.Server ssl = new org.eclipse.jetty.util.ssl.SslContextFactory.Server();
                    ssl.setKeyStore(identity.keyStore(password));
                    ssl.setKeyStorePassword(new String(password));
                    org.eclipse.jetty.server.HttpConfiguration secure = new org.eclipse.jetty.server.HttpConfiguration(httpConfig);
                    secure.addCustomizer(new org.eclipse.jetty.server.SecureRequestCustomizer(false));
                    org.eclipse.jetty.server.ServerConnector c = new org.eclipse.jetty.server.ServerConnector(server,
                            new org.eclipse.jetty.server.SslConnectionFactory(ssl, "http/1.1"),
                            new org.eclipse.jetty.server.HttpConnectionFactory(secure));
                    c.setHost(tls.host());
                    c.setPort(tls.httpsPort());
                    https = c;
                    return c;
                });
            }
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
            cfg.jetty.modifyServletContextHandler(handler -> {
                handler.getServletHandler().setDecodeAmbiguousURIs(true);
                handler.setErrorHandler(new ErrorPages(json));
            });
            cfg.jetty.modifyServer(server -> server.setErrorHandler(new ErrorPages(json)));
            cfg.routes.before(limits::check);
            cfg.routes.exception(RequestLimits.TooManyRequests.class, (e, ctx) -> {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("ok", false);
                body.put("error", "rate_limit_exceeded");
                body.put("error_description", e.getMessage());
                ctx.header("Retry-After", Long.toString(e.retryAfterSeconds())).status(429).json(body);
            });
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
            // Javalin's own handler reads the files through the class loader. Jetty's (the default) mounts
            // the whole 40 MB jar as a zip file system first, a quarter of the start-up's main thread.
            cfg.resourceHandler(new io.javalin.http.staticfiles.JavalinStaticResourceHandler());
            consoleFiles(cfg.staticFiles);
            for (Routes r : features) r.register(cfg.routes);
        });
    }

    /** Every registered route as "METHOD /path/:param", for the test that checks each has a permission rule. */
    public List<String> routes() {
        return app.unsafe.internalRouter.allHttpHandlers().stream()
                .map(e -> e.endpoint.method.name() + " " + e.endpoint.path).toList();
    }

    /**
     * The web console: static files from the jar at {@code /} (the API keeps {@code /v1} and
     * {@code /oauth}). Its pages call the public API like any client, so nothing else of the
     * console lives in Java. The files are not versioned by name, so browsers revalidate them
     * ({@code no-cache} with the ETag Jetty sends) instead of running stale code after an upgrade.
     */
    private static void consoleFiles(io.javalin.config.StaticFilesConfig files) {
        files.add(sf -> {
            sf.hostedPath = "/";
            sf.directory = "/console";
            sf.location = io.javalin.http.staticfiles.Location.CLASSPATH;
            sf.headers = Map.of("Cache-Control", "no-cache", "X-Content-Type-Options", "nosniff");
        });
    }

    public HttpApi start(String host, int port) {
        if (https != null || plain != null) throw new IllegalStateException("started already");
        app.start(host, port);
        return this;
    }

    /** Starts on the connectors given at construction (plain HTTP and HTTPS). */
    public HttpApi start() {
        app.start();
        return this;
    }

    public int port() {
        return plain != null ? plain.getLocalPort() : app.port();
    }

    /** The HTTPS port, or -1 when HTTPS is not served. */
    public int httpsPort() {
        return https == null ? -1 : https.getLocalPort();
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
            case DomainException.Forbidden f -> ctx.status(403).json(apiError(f.getMessage(), f.info()));
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
