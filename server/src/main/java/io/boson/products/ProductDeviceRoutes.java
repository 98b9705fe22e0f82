package io.boson.products;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.boson.auth.Principal;
import io.boson.calls.CallService;
import io.boson.devices.Device;
import io.boson.devices.DeviceJson;
import io.boson.devices.DeviceRef;
import io.boson.errors.DomainException;
import io.boson.firmware.DeviceFirmwareJson;
import io.boson.firmware.FirmwareService;
import io.boson.groups.GroupService;
import io.boson.http.Body;
import io.boson.http.HttpApi;
import io.boson.http.Paging;
import io.boson.http.Tokens;
import io.boson.team.Action;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import io.javalin.router.JavalinDefaultRoutingApi;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code /v1/products/:product/devices…}: import, list, get, edit, remove, ping. */
public final class ProductDeviceRoutes implements HttpApi.Routes {

    static final int MAX_FILE_BYTES = 8 * 1024 * 1024;

    private final ProductDevices fleet;
    private final GroupService groups;
    private final CallService calls;
    private final DeviceJson view;
    private final Tokens tokens;
    private final ObjectMapper json;
    private final Clock clock;
    private final FirmwareService firmware;
    private final DeviceFirmwareJson firmwareJson;

    public ProductDeviceRoutes(ProductDevices fleet, GroupService groups, CallService calls, DeviceJson view, Tokens tokens,
                               ObjectMapper json, Clock clock, FirmwareService firmware, DeviceFirmwareJson firmwareJson) {
        this.fleet = fleet;
        this.groups = groups;
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
        r.post("/v1/products/{product}/devices", this::importDevices);
        r.get("/v1/products/{product}/devices", this::list);
        r.put("/v1/products/{product}/devices", ctx -> {
            Principal caller = tokens.principal(ctx);
            Body b = Body.of(ctx, json);
            groups.batch(caller, ctx.pathParam("product"), b.string("action"), b.strings("devices"), b.node("metadata"));
            firmware.devicesChanged(b.strings("devices").stream().map(id -> id.trim().toLowerCase()).toList());
            ctx.json(Map.of("ok", true));
        });
        r.get("/v1/products/{product}/devices/{id}", ctx -> {
            Principal caller = tokens.principal(ctx);
            Device d = fleet.resolveFresh(caller, DeviceRef.inProduct(ctx.pathParam("product"), ctx.pathParam("id")), Action.VIEW_DEVICE);
            Map<String, List<String>> groupsOf = fleet.groupsOf(List.of(d));
            Map<String, Object> body = view.detail(d, view.of(d, groupsOf.getOrDefault(d.id(), List.of()), false));
            body.putAll(firmwareJson.of(d.productId(), List.of(d.id()), groupsOf).getOrDefault(d.id(), Map.of()));
            ctx.json(body);
        });
        r.put("/v1/products/{product}/devices/{id}", this::update);
        r.delete("/v1/products/{product}/devices/{id}", ctx -> {
            Principal caller = tokens.principal(ctx);
            Boolean deny = Body.of(ctx, json).bool("deny");
            fleet.remove(caller, ctx.pathParam("product"), ctx.pathParam("id"), deny != null && deny);
            ctx.status(204);
        });
        r.put("/v1/products/{product}/devices/{id}/ping", ctx -> {
            boolean online = calls.ping(tokens.principal(ctx),
                    DeviceRef.inProduct(ctx.pathParam("product"), ctx.pathParam("id")));
            ctx.json(Map.of("online", online, "ok", true));
        });
    }

    private void importDevices(Context ctx) {
        Principal caller = tokens.principal(ctx);
        List<String> ids = new ArrayList<>();
        String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase();
        UploadedFile file = type.startsWith("multipart/form-data") ? ctx.uploadedFile("file") : null;
        if (file != null) {
            ids.addAll(readIdFile(file));
        } else {
            Body b = Body.of(ctx, json);
            if (b.string("id") != null) ids.add(b.string("id"));
            if (b.strings("ids") != null) ids.addAll(b.strings("ids"));
        }
        ImportResult r = fleet.importDevices(caller, ctx.pathParam("product"), ids);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("updated", r.updated());
        body.put("updatedDeviceIds", r.updatedDeviceIds());
        body.put("existingDeviceIds", r.existingDeviceIds());
        body.put("nonmemberDeviceIds", r.nonmemberDeviceIds());
        body.put("invalidDeviceIds", r.invalidDeviceIds());
        body.put("protectedDeviceIds", r.protectedDeviceIds());
        ctx.json(body);
    }

    /** One device ID per line; blank lines and surrounding spaces are fine; anything not text is refused. */
    static List<String> readIdFile(UploadedFile file) {
        byte[] bytes;
        try (InputStream in = file.content()) {
            bytes = in.readNBytes(MAX_FILE_BYTES + 1);
        } catch (IOException e) {
            throw DomainException.invalid("The uploaded file could not be read");
        }
        if (bytes.length > MAX_FILE_BYTES) throw DomainException.invalid("The file is larger than 8 MiB");
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw DomainException.invalid("The file must be text: one device ID per line");
        }
        if (text.chars().anyMatch(c -> c == 0 || (Character.isISOControl(c) && c != '\n' && c != '\r' && c != '\t'))) {
            throw DomainException.invalid("The file must be text: one device ID per line");
        }
        return text.lines().map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private void list(Context ctx) {
        Principal caller = tokens.principal(ctx);
        String perPage = ctx.queryParam("per_page") != null ? ctx.queryParam("per_page") : ctx.queryParam("perPage");
        ProductDeviceQuery q = ProductDeviceQuery.of(ctx.queryParam("deviceId"), ctx.queryParam("deviceName"),
                ctx.queryParam("groups"), ctx.queryParam("sortAttr"), ctx.queryParam("sortDir"), ctx.queryParam("page"), perPage);
        boolean quarantined = "true".equals(ctx.queryParam("quarantined"));
        ProductDeviceRepository.Page page = quarantined ? fleet.quarantined(caller, ctx.pathParam("product"), q)
                : fleet.list(caller, ctx.pathParam("product"), q);
        Map<String, List<String>> groupsOf = fleet.groupsOf(page.devices());
        Map<String, Map<String, Object>> fw = quarantined || page.devices().isEmpty() ? Map.of()
                : firmwareJson.of(page.devices().get(0).productId(), page.devices().stream().map(Device::id).toList(), groupsOf);
        List<Map<String, Object>> devices = page.devices().stream().map(d -> {
            Map<String, Object> m = view.of(d, groupsOf.getOrDefault(d.id(), List.of()), quarantined);
            m.putAll(fw.getOrDefault(d.id(), Map.of()));
            return m;
        }).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("devices", devices);
        body.put("customers", fleet.customersOf(page.devices()).entrySet().stream()
                .map(c -> Map.of("id", Long.toString(c.getKey()), "username", c.getValue())).toList());
        body.put("meta", Paging.meta(q.page(), q.perPage(), page.total()));
        ctx.json(body);
    }

    private void update(Context ctx) {
        Principal caller = tokens.principal(ctx);
        String product = ctx.pathParam("product");
        if (io.boson.firmware.FirmwareRoutes.flashIfFile(ctx, firmware, caller, product)) return;
        Body b = Body.of(ctx, json);
        Device d = fleet.update(caller, product, ctx.pathParam("id"), new ProductDevices.Update(b.string("name"),
                b.has("notes") ? (b.string("notes") == null ? "" : b.string("notes")) : null, b.bool("development")));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", d.id());
        if (b.has("groups")) {
            List<String> set = b.strings("groups");
            body.put("groups", groups.setDeviceGroups(caller, product, d.id(), set == null ? List.of() : set));
        }
        if (b.has("name")) body.put("name", d.name());
        if (b.has("notes")) body.put("notes", d.notes());
        if (b.has("development")) body.put("development", d.development());
        if (b.has("desired_firmware_version")) {
            Boolean flash = b.bool("flash");
            firmware.lock(caller, product, d.id(), b.integer("desired_firmware_version"), flash != null && flash);
            body.put("desired_firmware_version", b.integer("desired_firmware_version"));
            if (flash != null) body.put("flash", flash);
        }
        if (b.has("firmware_updates_forced")) {
            boolean forced = Boolean.TRUE.equals(b.bool("firmware_updates_forced"));
            firmware.forceUpdates(caller, product, d.id(), forced);
            body.put("firmware_updates_forced", forced);
        }
        if (b.has("groups") || b.has("development")) firmware.devicesChanged(List.of(d.id()));
        body.put("updated_at", DeviceJson.iso(clock.millis()));
        ctx.json(body);
    }
}
