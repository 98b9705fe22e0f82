package io.boson.clients;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.boson.http.Body;
import io.boson.http.HttpApi;
import io.boson.http.Tokens;
import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code /v1/clients} and {@code /v1/products/:product/clients}, in Particle's shapes. */
public final class ClientRoutes implements HttpApi.Routes {

    private final ClientService clients;
    private final Tokens tokens;
    private final ObjectMapper json;

    public ClientRoutes(ClientService clients, Tokens tokens, ObjectMapper json) {
        this.clients = clients;
        this.tokens = tokens;
        this.json = json;
    }

    @Override
    public void register(JavalinDefaultRoutingApi r) {
        for (String base : new String[]{"/v1/clients", "/v1/products/{product}/clients"}) {
            r.get(base, ctx -> ctx.json(Map.of("ok", true, "clients",
                    clients.list(tokens.principal(ctx), product(ctx)).stream().map(c -> view(c, null)).toList())));
            r.post(base, ctx -> {
                Body b = Body.of(ctx, json);
                ClientService.Created c = clients.create(tokens.principal(ctx), product(ctx), b.string("name"),
                        b.string("type"), b.string("redirect_uri"));
                ctx.json(Map.of("ok", true, "client", view(c.client(), c.secret())));
            });
            r.put(base + "/{id}", ctx -> {
                Body b = Body.of(ctx, json);
                ctx.json(Map.of("ok", true, "client",
                        view(clients.rename(tokens.principal(ctx), product(ctx), ctx.pathParam("id"), b.string("name")), null)));
            });
            r.delete(base + "/{id}", ctx -> {
                clients.delete(tokens.principal(ctx), product(ctx), ctx.pathParam("id"));
                ctx.status(204);
            });
        }
    }

    private static String product(Context ctx) {
        return ctx.pathParamMap().get("product");
    }

    private static Map<String, Object> view(OAuthClient c, String secret) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", c.name());
        m.put("type", c.type());
        m.put("id", c.id());
        if (c.redirectUri() != null) m.put("redirect_uri", c.redirectUri());
        if (secret != null) m.put("secret", secret);
        return m;
    }
}
