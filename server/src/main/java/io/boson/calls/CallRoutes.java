package io.boson.calls;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.boson.devices.DeviceJson;
import io.boson.devices.DeviceRef;
import io.boson.http.Body;
import io.boson.http.HttpApi;
import io.boson.http.Tokens;
import io.javalin.router.JavalinDefaultRoutingApi;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code POST /v1/devices/:id/:function} and {@code GET /v1/devices/:id/:variable}. */
public final class CallRoutes implements HttpApi.Routes {

    private final CallService calls;
    private final Tokens tokens;
    private final ObjectMapper json;

    public CallRoutes(CallService calls, Tokens tokens, ObjectMapper json) {
        this.calls = calls;
        this.tokens = tokens;
        this.json = json;
    }

    @Override
    public void register(JavalinDefaultRoutingApi r) {
        for (String prefix : new String[]{"/v1/devices/{id}", "/v1/products/{product}/devices/{id}"}) {
            register(r, prefix);
        }
    }

    /** Both the caller's own devices and a product's devices (for its team). */
    private static DeviceRef ref(io.javalin.http.Context ctx) {
        return ctx.pathParamMap().containsKey("product")
                ? DeviceRef.inProduct(ctx.pathParam("product"), ctx.pathParam("id")) : DeviceRef.owned(ctx.pathParam("id"));
    }

    private void register(JavalinDefaultRoutingApi r, String prefix) {
        r.post(prefix + "/{function}", ctx -> {
            Body b = Body.of(ctx, json);
            // The docs name the argument "arg"; particle-cli and api-js send "args".
            String arg = b.has("arg") ? b.string("arg") : b.string("args");
            CallService.FunctionResult result = calls.call(tokens.principal(ctx), ref(ctx),
                    ctx.pathParam("function"), arg);
            if ("raw".equals(ctx.queryParam("format")) || "raw".equals(b.string("format"))) {
                ctx.contentType("text/plain").result(Integer.toString(result.returnValue()));
                return;
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("id", result.device().id());
            body.put("name", result.device().name());
            body.put("connected", true);
            body.put("return_value", result.returnValue());
            ctx.json(body);
        });
        r.get(prefix + "/{variable}", ctx -> {
            CallService.VariableResult result = calls.read(tokens.principal(ctx), ref(ctx),
                    ctx.pathParam("variable"));
            if ("raw".equals(ctx.queryParam("format"))) {
                ctx.contentType("text/plain").result(String.valueOf(result.value()));
                return;
            }
            Map<String, Object> coreInfo = new LinkedHashMap<>();
            coreInfo.put("name", result.device().name());
            coreInfo.put("deviceID", result.device().id());
            coreInfo.put("connected", true);
            coreInfo.put("last_handshake_at", DeviceJson.iso(result.device().lastHandshakeAt()));
            coreInfo.put("last_app", "");
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("cmd", "VarReturn");
            body.put("name", result.name());
            body.put("result", result.value());
            body.put("coreInfo", coreInfo);
            ctx.json(body);
        });
    }
}
