package io.boson.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.boson.devices.DeviceJson;
import io.boson.http.Body;
import io.boson.http.HttpApi;
import io.boson.http.Tokens;
import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code /oauth/token}, the account and the caller's tokens, in Particle's shapes. */
public final class AuthRoutes implements HttpApi.Routes {

    private final AuthService auth;
    private final Tokens tokens;
    private final ObjectMapper json;

    public AuthRoutes(AuthService auth, Tokens tokens, ObjectMapper json) {
        this.auth = auth;
        this.tokens = tokens;
        this.json = json;
    }

    @Override
    public void register(JavalinDefaultRoutingApi r) {
        r.post("/oauth/token", this::token);
        r.get("/v1/user", ctx -> {
            Principal p = tokens.principal(ctx);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("username", p.username());
            body.put("account_info", Map.of());
            body.put("mfa", Map.of("enabled", false));
            body.put("no_password", false);
            body.put("platform_admin", p.platformAdmin());
            ctx.json(body);
        });
        r.post("/v1/users", ctx -> {
            Principal caller = ctx.header("Authorization") != null || ctx.queryParam("access_token") != null
                    ? tokens.principal(ctx) : null;
            Body b = Body.of(ctx, json);
            auth.createUser(caller, b.string("username"), b.string("password"));
            ctx.json(Map.of("ok", true));
        });
        r.get("/v1/access_tokens/current", ctx -> {
            Principal p = tokens.principal(ctx);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("expires_at", DeviceJson.iso(p.tokenExpiresAt()));
            body.put("client", p.clientId());
            body.put("scopes", List.of());
            body.put("orgs", List.of());
            ctx.json(body);
        });
        r.delete("/v1/access_tokens/current", ctx -> {
            auth.revokeCurrent(tokens.principal(ctx));
            ctx.json(Map.of("ok", true));
        });
        r.delete("/v1/access_tokens/{token}", ctx -> {
            auth.revoke(ctx.pathParam("token"));
            ctx.json(Map.of("ok", true));
        });
    }

    private void token(Context ctx) {
        String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase();
        if (!type.startsWith("application/x-www-form-urlencoded")) {
            throw OAuthException.invalidRequest("Method must be POST with application/x-www-form-urlencoded encoding");
        }
        ClientCredentials client = ClientCredentials.of(ctx);
        String clientId = client.id();
        String clientSecret = client.secret();
        String grant = ctx.formParam("grant_type");
        if (grant == null) throw OAuthException.invalidRequest("Missing parameter: grant_type");
        AuthService.IssuedToken issued = switch (grant) {
            case "password" -> auth.passwordGrant(clientId, clientSecret, ctx.formParam("username"),
                    ctx.formParam("password"), ctx.formParam("expires_in"), ctx.ip());
            case "refresh_token" -> auth.refreshGrant(clientId, clientSecret, ctx.formParam("refresh_token"));
            case "client_credentials" -> auth.clientCredentialsGrant(clientId, clientSecret, ctx.formParam("expires_in"),
                    ctx.formParam("scope"));
            default -> throw new OAuthException(400, "unsupported_grant_type", "Invalid grant_type parameter or parameter missing");
        };
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("token_type", "bearer");
        body.put("access_token", issued.accessToken());
        body.put("expires_in", issued.expiresIn());
        if (issued.refreshToken() != null) body.put("refresh_token", issued.refreshToken());
        ctx.header("Cache-Control", "no-store");
        ctx.json(body);
    }
}
