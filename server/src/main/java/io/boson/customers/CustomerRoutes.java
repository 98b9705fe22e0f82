package io.boson.customers;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.boson.auth.AuthService;
import io.boson.auth.ClientCredentials;
import io.boson.devices.DeviceJson;
import io.boson.devices.DeviceService;
import io.boson.http.Body;
import io.boson.http.HttpApi;
import io.boson.http.Tokens;
import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code /v1/products/:product/customers…} and the product's {@code device_claims}. */
public final class CustomerRoutes implements HttpApi.Routes {

    private final CustomerService customers;
    private final Tokens tokens;
    private final ObjectMapper json;

    public CustomerRoutes(CustomerService customers, Tokens tokens, ObjectMapper json) {
        this.customers = customers;
        this.tokens = tokens;
        this.json = json;
    }

    @Override
    public void register(JavalinDefaultRoutingApi r) {
        r.post("/v1/products/{product}/customers", this::create);
        r.get("/v1/products/{product}/customers", ctx -> ctx.json(Map.of("customers",
                customers.list(tokens.principal(ctx), ctx.pathParam("product")).stream().map(CustomerRoutes::view).toList())));
        r.get("/v1/products/{product}/customers/{email}", ctx -> ctx.json(Map.of("customer",
                view(customers.get(tokens.principal(ctx), ctx.pathParam("product"), ctx.pathParam("email"))))));
        r.put("/v1/products/{product}/customers/{email}", ctx -> {
            Body b = Body.of(ctx, json);
            CustomerService.Customer c = customers.setPassword(tokens.principal(ctx), ctx.pathParam("product"),
                    ctx.pathParam("email"), b.string("password"));
            ctx.json(Map.of("ok", true, "customer", view(c)));
        });
        r.delete("/v1/products/{product}/customers/{email}", ctx -> {
            customers.delete(tokens.principal(ctx), ctx.pathParam("product"), ctx.pathParam("email"));
            ctx.status(204);
        });
        r.post("/v1/products/{product}/device_claims", ctx -> {
            DeviceService.ClaimCode code = customers.claimCode(tokens.principal(ctx), ctx.pathParam("product"));
            ctx.json(Map.of("claim_code", code.claimCode(), "device_ids", code.deviceIds()));
        });
    }

    /**
     * With the product's client credentials (particle-api-js {@code createCustomer}) the customer is
     * created and logged in, answering like {@code /oauth/token}; with a team member's token the
     * customer is only created.
     */
    private void create(Context ctx) {
        Body b = Body.of(ctx, json);
        boolean noPassword = Boolean.TRUE.equals(b.bool("no_password"));
        ClientCredentials client = ClientCredentials.of(ctx);
        if (client.id() == null && b.has("client_id")) client = new ClientCredentials(b.string("client_id"), b.string("client_secret"));
        if (client.id() != null) {
            AuthService.IssuedToken t = customers.createWithClient(client, ctx.ip(), ctx.pathParam("product"),
                    b.string("email"), b.string("password"), noPassword);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("token_type", "bearer");
            body.put("access_token", t.accessToken());
            body.put("expires_in", t.expiresIn());
            if (t.refreshToken() != null) body.put("refresh_token", t.refreshToken());
            ctx.header("Cache-Control", "no-store");
            ctx.status(201).json(body);
            return;
        }
        CustomerService.Customer c = customers.create(tokens.principal(ctx), ctx.pathParam("product"), b.string("email"),
                b.string("password"), noPassword);
        ctx.status(201).json(Map.of("ok", true, "customer", view(c)));
    }

    private static Map<String, Object> view(CustomerService.Customer c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", Long.toString(c.id()));
        m.put("username", c.email());
        m.put("created_at", DeviceJson.iso(c.createdAt()));
        m.put("devices", c.deviceIds());
        return m;
    }
}
