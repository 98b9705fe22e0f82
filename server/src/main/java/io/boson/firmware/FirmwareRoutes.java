package io.boson.firmware;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.boson.auth.Principal;
import io.boson.devices.DeviceJson;
import io.boson.errors.DomainException;
import io.boson.http.Body;
import io.boson.http.HttpApi;
import io.boson.http.Tokens;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import io.javalin.router.JavalinDefaultRoutingApi;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code /v1/products/:product/firmware…} and {@code /v1/products/:product/impact}. */
public final class FirmwareRoutes implements HttpApi.Routes {

    private final FirmwareStore store;
    private final FirmwareService firmware;
    private final Tokens tokens;
    private final ObjectMapper json;

    public FirmwareRoutes(FirmwareStore store, FirmwareService firmware, Tokens tokens, ObjectMapper json) {
        this.store = store;
        this.firmware = firmware;
        this.tokens = tokens;
        this.json = json;
    }

    @Override
    public void register(JavalinDefaultRoutingApi r) {
        String base = "/v1/products/{product}/firmware";
        r.post(base, this::upload);
        r.get(base, ctx -> {
            Principal caller = tokens.principal(ctx);
            List<Firmware> list = store.list(caller, ctx.pathParam("product"));
            Map<Integer, FirmwareService.Rollout> rollouts = list.isEmpty() ? Map.of() : firmware.rollouts(list.get(0).productId());
            ctx.json(list.stream().map(f -> of(f, rollouts.get(f.version()))).toList());
        });
        r.put(base + "/release", ctx -> {
            Principal caller = tokens.principal(ctx);
            Body b = Body.of(ctx, json);
            Boolean productDefault = b.bool("product_default");
            Boolean intelligent = b.bool("intelligent");
            Boolean cancelRollouts = b.bool("cancel_rollouts");
            Firmware f = firmware.release(caller, ctx.pathParam("product"), b.integer("version"),
                    productDefault != null && productDefault, groups(b), intelligent != null && intelligent,
                    cancelRollouts != null && cancelRollouts);
            ctx.json(one(f));
        });
        r.get(base + "/{version}", ctx -> ctx.json(one(store.get(tokens.principal(ctx), ctx.pathParam("product"),
                ctx.pathParam("version")))));
        r.put(base + "/{version}", ctx -> {
            Body b = Body.of(ctx, json);
            ctx.json(one(store.edit(tokens.principal(ctx), ctx.pathParam("product"), ctx.pathParam("version"),
                    b.string("title"), b.string("description"))));
        });
        r.delete(base + "/{version}", ctx -> {
            store.delete(tokens.principal(ctx), ctx.pathParam("product"), ctx.pathParam("version"));
            ctx.status(204);
        });
        r.get(base + "/{version}/binary", ctx -> {
            byte[] data = store.binary(tokens.principal(ctx), ctx.pathParam("product"), ctx.pathParam("version"));
            ctx.contentType("application/octet-stream");
            ctx.header("Content-Disposition", "attachment; filename=\"firmware-v" + ctx.pathParam("version") + ".bin\"");
            ctx.result(data);
        });
        r.get("/v1/products/{product}/impact", ctx -> {
            Integer version;
            try {
                String v = ctx.queryParam("firmware_version") != null ? ctx.queryParam("firmware_version") : ctx.queryParam("version");
                version = v == null ? null : Integer.valueOf(v.trim());
            } catch (NumberFormatException e) {
                throw DomainException.invalid("firmware_version must be a number from 1 to 65535");
            }
            String g = ctx.queryParam("groups");
            List<String> groups = g == null || g.isBlank() ? List.of()
                    : Arrays.stream(g.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
            FirmwareService.Impact impact = firmware.impact(tokens.principal(ctx), ctx.pathParam("product"), version, groups,
                    "true".equals(ctx.queryParam("product_default")));
            List<Map<String, Object>> byVersion = new ArrayList<>();
            impact.byVersion().forEach((v, n) -> {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("version", v);
                row.put("total", n);
                byVersion.add(row);
            });
            ctx.json(Map.of("devices", Map.of("firmware_update", Map.of("total", impact.total(), "by_version", byVersion))));
        });
    }

    private void upload(Context ctx) {
        Principal caller = tokens.principal(ctx);
        store.mayUpload(caller, ctx.pathParam("product"));
        String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase();
        if (!type.startsWith("multipart/form-data")) {
            throw DomainException.invalid("Upload firmware as multipart/form-data with the binary in the part \"file\"");
        }
        UploadedFile file = ctx.uploadedFile("file");
        byte[] data = file == null ? null : read(file, FirmwareStore.DEFAULT_MAX_BYTES * 4);
        Integer version;
        try {
            String v = ctx.formParam("version");
            version = v == null || v.isBlank() ? null : Integer.valueOf(v.trim());
        } catch (NumberFormatException e) {
            throw DomainException.invalid("version must be a number from 1 to 65535");
        }
        Firmware f = store.upload(caller, ctx.pathParam("product"), version, ctx.formParam("title"),
                ctx.formParam("description"), file == null ? null : file.filename(), data);
        ctx.status(201).json(one(f));
    }

    /**
     * {@code PUT /v1/devices/:id} and {@code PUT /v1/products/:p/devices/:id} with a multipart
     * {@code file} flash the device (product null for a developer device); answers with the
     * {@code status} particle-cli requires. Returns false when the request carries no file.
     */
    public static boolean flashIfFile(Context ctx, FirmwareService firmware, Principal caller, String product) {
        String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(java.util.Locale.ROOT);
        UploadedFile file = type.startsWith("multipart/form-data") ? ctx.uploadedFile("file") : null;
        if (file == null) return false;
        // The service enforces the configured firmware limit; reading stops just past the largest possible one.
        io.boson.devices.Device d = firmware.flash(caller, product, ctx.pathParam("id"), file.filename(),
                read(file, FirmwareStore.DEFAULT_MAX_BYTES * 4));
        ctx.json(Map.of("id", d.id(), "status", "Update started", "ok", true));
        return true;
    }

    public static byte[] read(UploadedFile file, int limit) {
        try (InputStream in = file.content()) {
            return in.readNBytes(limit + 1);
        } catch (IOException e) {
            throw DomainException.invalid("The uploaded file could not be read");
        }
    }

    private static List<String> groups(Body b) {
        if (!b.has("groups")) return List.of();
        List<String> list = b.strings("groups");
        if (list == null) return List.of();
        // A form may send "a,b" in one field.
        return list.stream().flatMap(s -> Arrays.stream(s.split(","))).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private Map<String, Object> one(Firmware f) {
        return of(f, firmware.rollouts(f.productId()).get(f.version()));
    }

    /** Particle's firmware object, plus the rollout of devices aimed at this version. */
    static Map<String, Object> of(Firmware f, FirmwareService.Rollout r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("_id", f.productId() + ":" + f.version());
        m.put("version", f.version());
        m.put("title", f.title());
        m.put("description", f.description());
        m.put("name", f.fileName());
        m.put("size", f.size());
        m.put("sha256", f.sha256());
        m.put("product_id", f.productId());
        m.put("uploaded_on", DeviceJson.iso(f.uploadedAt()));
        m.put("uploaded_by", f.uploadedBy() == null ? null : Map.of("username", f.uploadedBy()));
        m.put("updated_at", DeviceJson.iso(f.updatedAt()));
        m.put("current", f.productDefault());
        m.put("product_default", f.productDefault());
        m.put("groups", f.groups());
        m.put("intelligent", f.intelligent());
        m.put("released", f.releasedAt() != null);
        m.put("released_at", DeviceJson.iso(f.releasedAt()));
        m.put("device_count", r == null ? 0 : r.running());
        Map<String, Object> rollout = new LinkedHashMap<>();
        rollout.put("targeted", r == null ? 0 : r.targeted());
        rollout.put("pending", r == null ? 0 : r.pending());
        rollout.put("in_progress", r == null ? 0 : r.inProgress());
        rollout.put("updated", r == null ? 0 : r.updated());
        rollout.put("failed", r == null ? 0 : r.failed());
        m.put("rollout", rollout);
        return m;
    }
}
