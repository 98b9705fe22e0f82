package io.boson.deviceos;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.boson.devices.Device;
import io.boson.errors.DomainException;
import io.boson.http.Body;
import io.boson.http.HttpApi;
import io.boson.http.Tokens;
import io.javalin.router.JavalinDefaultRoutingApi;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Device OS's keys over the API: {@code GET /v1/server_key} (the cloud's public key, which a device
 * needs before it can connect, so it is served without a token) and Particle's
 * {@code POST /v1/provisioning/:deviceId} (a device's public key).
 */
public final class DeviceOsRoutes implements HttpApi.Routes {

    private final ServerKey serverKey;
    private final DeviceKeys keys;
    private final Tokens tokens;
    private final ObjectMapper json;

    public DeviceOsRoutes(ServerKey serverKey, DeviceKeys keys, Tokens tokens, ObjectMapper json) {
        this.serverKey = serverKey;
        this.keys = keys;
        this.tokens = tokens;
        this.json = json;
    }

    @Override
    public void register(JavalinDefaultRoutingApi r) {
        r.get("/v1/server_key", ctx -> {
            String format = ctx.queryParam("format");
            if (format == null || format.equalsIgnoreCase("pem")) {
                ctx.contentType("application/x-pem-file").result(serverKey.publicPem().getBytes(StandardCharsets.US_ASCII));
            } else if (format.equalsIgnoreCase("der")) {
                ctx.contentType("application/octet-stream").result(serverKey.publicDer());
            } else {
                throw DomainException.invalid("format must be pem or der");
            }
        });
        r.post("/v1/provisioning/{id}", ctx -> {
            var caller = tokens.principal(ctx);
            Body b = Body.of(ctx, json);
            String bodyId = b.string("deviceID");
            String id = ctx.pathParam("id");
            if (bodyId != null && !bodyId.isBlank() && !bodyId.trim().equalsIgnoreCase(id)) {
                throw DomainException.invalid("deviceID in the body is not the device of the path");
            }
            Device d = keys.provision(caller, id, b.string("publicKey"), b.string("algorithm"), b.string("product_id"),
                    b.integer("platform_id"));
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("ok", true);
            body.put("id", d.id());
            body.put("deviceID", d.id());
            ctx.json(body);
        });
    }
}
