package io.boson.devices;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.boson.auth.Principal;
import io.boson.calls.CallService;
import io.boson.errors.DomainException;
import io.boson.firmware.DeviceFirmwareJson;
import io.boson.firmware.FirmwareRoutes;
import io.boson.firmware.FirmwareService;
import io.boson.http.Body;
import io.boson.http.HttpApi;
import io.boson.http.Tokens;
import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The device registry (admin), claiming, and the caller's devices. */
public final class DeviceRoutes implements HttpApi.Routes {


    private final DeviceService devices;
    private final CallService calls;
    private final DeviceJson view;
    private final Tokens tokens;
    private final ObjectMapper json;
    private final Clock clock;
    private final FirmwareService firmware;
    private final DeviceFirmwareJson firmwareJson;

    public DeviceRoutes(DeviceService devices, CallService calls, DeviceJson view, Tokens tokens, ObjectMapper json,
                        Clock clock, FirmwareService firmware, DeviceFirmwareJson firmwareJson) {
        this.devices = devices;
        this.calls = calls;
        this.view = view;
        this.tokens = tokens;
        this.json = json;
        this.clock = clock;
        this.firmware = firmware;
        this.firmwareJson = firmwareJson;
    }

    @Override
    public void register(JavalinDefaultRoutingApi r) {
        r.post("/v1/admin/devices", ctx -> {
            Principal p = tokens.principal(ctx);
            Body b = Body.of(ctx, json);
            List<DeviceService.Credentials> creds = devices.register(p, b.integer("platform_id"), b.integer("count"),
                    b.strings("ids"));
            ctx.status(201).json(Map.of("devices", creds));
        });
        r.get("/v1/devices", ctx -> {
            Principal p = tokens.principal(ctx);
            ctx.json(devices.list(p).stream().map(view::of).toList());
        });
        r.post("/v1/devices", ctx -> {
            Principal p = tokens.principal(ctx);
            Body b = Body.of(ctx, json);
            Boolean transfer = b.bool("request_transfer");
            Device d = devices.claim(p, b.string("id"), transfer != null && transfer);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("ok", true);
            body.put("id", d.id());
            body.put("deviceID", d.id());
            body.put("claimed", true);
            ctx.json(body);
        });
        r.post("/v1/device_claims", ctx -> {
            DeviceService.ClaimCode code = devices.createClaimCode(tokens.principal(ctx));
            ctx.json(Map.of("claim_code", code.claimCode(), "device_ids", code.deviceIds()));
        });
        r.get("/v1/devices/{id}", ctx -> {
            Device d = devices.get(tokens.principal(ctx), ctx.pathParam("id"));
            Map<String, Object> body = view.detail(d, view.of(d));
            // The last developer flash of the device, for developer devices; product devices show their product view.
            if (!d.inProduct()) body.putAll(firmwareJson.of(firmware.deviceFirmware(d.id())));
            ctx.json(body);
        });
        r.put("/v1/devices/{id}", this::update);
        r.delete("/v1/devices/{id}", ctx -> {
            devices.unclaim(tokens.principal(ctx), ctx.pathParam("id"));
            ctx.json(Map.of("ok", true));
        });
        r.put("/v1/devices/{id}/ping", ctx -> {
            boolean online = calls.ping(tokens.principal(ctx), DeviceRef.owned(ctx.pathParam("id")));
            ctx.json(Map.of("online", online, "ok", true));
        });
    }

    private void update(Context ctx) {
        Principal p = tokens.principal(ctx);
        if (FirmwareRoutes.flashIfFile(ctx, firmware, p, null)) return;
        Body b = Body.of(ctx, json);
        String signal = b.string("signal");
        Device d = devices.get(p, ctx.pathParam("id"));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", d.id());
        if (b.has("name") || b.has("notes")) {
            d = devices.update(p, d.id(), new DeviceService.Update(b.string("name"), b.has("notes")
                    ? (b.string("notes") == null ? "" : b.string("notes")) : null));
            if (b.has("name")) body.put("name", d.name());
            if (b.has("notes")) body.put("notes", d.notes());
        }
        if (signal != null) {
            if (!signal.equals("1") && !signal.equals("0")) throw DomainException.invalid("signal must be \"1\" or \"0\"");
            calls.signal(p, DeviceRef.owned(d.id()), signal.equals("1"));
            body.put("connected", true);
            body.put("signaling", signal.equals("1"));
        }
        body.put("updated_at", DeviceJson.iso(clock.millis()));
        ctx.json(body);
    }
}
