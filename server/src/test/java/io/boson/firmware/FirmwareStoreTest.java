package io.boson.firmware;

import com.fasterxml.jackson.databind.JsonNode;
import io.boson.testing.Api;
import io.boson.testing.CloudTest;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The firmware store, releases, the impact preview and the precedence of targets, over HTTP. */
class FirmwareStoreTest extends CloudTest {

    @Test
    void uploadListGetEditDownloadAndDelete() throws Exception {
        Api owner = cloud.newUser();
        long p = cloud.newProduct(owner, "Store");
        byte[] image = Firmwares.image(5000, 1);
        Api.Response up = Firmwares.upload(owner, p, 3, image);
        assertThat(up.status()).as(up.toString()).isEqualTo(201);
        JsonNode f = up.json();
        assertThat(f.get("version").asInt()).isEqualTo(3);
        assertThat(f.get("size").asInt()).isEqualTo(5000);
        assertThat(f.get("name").asText()).isEqualTo("firmware.bin");
        assertThat(f.get("title").asText()).isEqualTo("v3");
        assertThat(f.get("product_id").asLong()).isEqualTo(p);
        assertThat(f.get("sha256").asText()).isEqualTo(HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(image)));
        assertThat(f.get("uploaded_by").get("username").asText()).isNotBlank();
        assertThat(Firmwares.upload(owner, p, 3, image).status()).isEqualTo(409);

        assertThat(owner.get("/v1/products/" + p + "/firmware").json()).extracting(n -> n.get("version").asInt()).containsExactly(3);
        assertThat(owner.get("/v1/products/" + p + "/firmware/3").json().get("description").asText()).isEqualTo("test build");
        Api.Response edited = owner.putJson("/v1/products/" + p + "/firmware/3", Map.of("title", "Better", "description", "d2"));
        assertThat(edited.json().get("title").asText()).isEqualTo("Better");
        Api.Response binary = owner.send(owner.request("/v1/products/" + p + "/firmware/3/binary").GET());
        assertThat(binary.headers().firstValue("Content-Type").orElse("")).startsWith("application/octet-stream");
        byte[] downloaded = java.net.http.HttpClient.newHttpClient().send(owner.request("/v1/products/" + p + "/firmware/3/binary")
                .GET().build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray()).body();
        assertThat(downloaded).isEqualTo(image);

        assertThat(owner.delete("/v1/products/" + p + "/firmware/3").status()).isEqualTo(204);
        assertThat(owner.get("/v1/products/" + p + "/firmware/3").status()).isEqualTo(404);
    }

    @Test
    void refusalsAreClear4xx() {
        Api owner = cloud.newUser();
        long p = cloud.newProduct(owner, "Refusals");
        byte[] image = Firmwares.image(1000, 2);
        Api.Response zero = Firmwares.upload(owner, p, 0, image);
        assertThat(zero.status()).isEqualTo(400);
        assertThat(zero.json().get("error").asText()).contains("1 to 65535");
        assertThat(Firmwares.upload(owner, p, 65536, image).status()).isEqualTo(400);
        Api.Response text = owner.multipart("POST", "/v1/products/" + p + "/firmware", "app.cpp",
                "void setup() {}\n".getBytes(StandardCharsets.UTF_8), Map.of("version", "1", "title", "src"));
        assertThat(text.status()).isEqualTo(400);
        assertThat(text.json().get("error").asText()).contains("compiled firmware binary");
        Api.Response textBin = owner.multipart("POST", "/v1/products/" + p + "/firmware", "firmware.bin",
                "just some text".getBytes(StandardCharsets.UTF_8), Map.of("version", "1"));
        assertThat(textBin.status()).isEqualTo(400);
        assertThat(owner.multipart("POST", "/v1/products/" + p + "/firmware", null, null, Map.of("version", "1")).status())
                .isEqualTo(400);
        assertThat(owner.postJson("/v1/products/" + p + "/firmware", Map.of("version", 1)).status()).isEqualTo(400);

        Api.Response never = Firmwares.release(owner, p, 9, true, List.of(), false);
        assertThat(never.status()).isEqualTo(404);
        assertThat(never.json().get("error").asText()).contains("was not uploaded");
        assertThat(Firmwares.release(owner, p, 70000, true, List.of(), false).status()).isEqualTo(400);

        Firmwares.uploaded(owner, p, 1, image);
        Api.Response unknownGroup = Firmwares.release(owner, p, 1, false, List.of("nope"), false);
        assertThat(unknownGroup.status()).isEqualTo(400);
        assertThat(Firmwares.release(owner, p, 1, true, List.of(), false).status()).isEqualTo(200);
        Api.Response released = owner.delete("/v1/products/" + p + "/firmware/1");
        assertThat(released.status()).isEqualTo(409);
        assertThat(released.json().get("error").asText()).contains("released");
    }

    @Test
    void onlyDevelopersAndAdministratorsUploadAndRelease() {
        Api owner = cloud.newUser();
        long p = cloud.newProduct(owner, "Roles");
        Map<String, Api> members = new java.util.LinkedHashMap<>();
        for (String role : List.of("View-only", "Support", "Developer", "Administrator")) {
            Api m = cloud.newUser();
            owner.postJson("/v1/products/" + p + "/team", Map.of("username", m.get("/v1/user").json().get("username").asText(),
                    "role", role));
            members.put(role, m);
        }
        int v = 10;
        for (Map.Entry<String, Api> e : members.entrySet()) {
            boolean may = e.getKey().equals("Developer") || e.getKey().equals("Administrator");
            Api.Response r = Firmwares.upload(e.getValue(), p, v, Firmwares.image(100, v));
            assertThat(r.status()).as(e.getKey() + ": " + r).isEqualTo(may ? 201 : 403);
            if (!may) assertThat(r.json().get("error").asText()).contains(e.getKey());
            assertThat(e.getValue().get("/v1/products/" + p + "/firmware").status()).isEqualTo(200);
            v++;
        }
        Firmwares.uploaded(owner, p, 1, Firmwares.image(100, 1));
        assertThat(Firmwares.release(members.get("Support"), p, 1, true, List.of(), false).status()).isEqualTo(403);
        assertThat(Firmwares.release(members.get("Developer"), p, 1, true, List.of(), false).status()).isEqualTo(200);
        assertThat(cloud.newUser().get("/v1/products/" + p + "/firmware").status()).isEqualTo(404);
    }

    @Test
    void precedenceAndImpact() {
        Api owner = cloud.newUser();
        long p = cloud.newProduct(owner, "Precedence");
        String grouped = cloud.productDevice(owner, p).id();
        String plain = cloud.productDevice(owner, p).id();
        String dev = cloud.productDevice(owner, p).id();
        String locked = cloud.productDevice(owner, p).id();
        String dp = "/v1/products/" + p + "/devices/";
        owner.putJson(dp + grouped, Map.of("groups", List.of("beta")));
        owner.putJson(dp + dev, Map.of("development", true, "groups", List.of("beta")));
        for (int v = 1; v <= 3; v++) Firmwares.uploaded(owner, p, v, Firmwares.image(100, v));

        JsonNode impact = owner.get("/v1/products/" + p + "/impact?action=edit_groups_for_firmware&groups=beta"
                + "&firmware_version=3&product_default=false").json();
        assertThat(impact.at("/devices/firmware_update/total").asInt()).isEqualTo(1);
        assertThat(owner.get("/v1/products/" + p + "/impact?firmware_version=2&product_default=true").json()
                .at("/devices/firmware_update/total").asInt()).isEqualTo(3);

        assertThat(Firmwares.release(owner, p, 2, true, List.of(), false).status()).isEqualTo(200);
        assertThat(Firmwares.release(owner, p, 3, false, List.of("beta"), false).status()).isEqualTo(200);
        Api.Response lock = owner.putJson(dp + locked, Map.of("desired_firmware_version", 1));
        assertThat(lock.status()).as(lock.toString()).isEqualTo(200);
        assertThat(lock.json().get("desired_firmware_version").asInt()).isEqualTo(1);
        assertThat(owner.putJson(dp + locked, Map.of("desired_firmware_version", 99)).status()).isEqualTo(404);

        assertThat(target(owner, p, grouped)).isEqualTo(3);
        assertThat(target(owner, p, plain)).isEqualTo(2);
        assertThat(target(owner, p, dev)).isNull();
        assertThat(target(owner, p, locked)).isEqualTo(1);
        assertThat(owner.get(dp + locked).json().get("desired_firmware_version").asInt()).isEqualTo(1);

        // The development flag, locks and groups move targets at once.
        owner.putJson(dp + dev, Map.of("development", false));
        assertThat(target(owner, p, dev)).isEqualTo(3);
        owner.putJson(dp + locked, "{\"desired_firmware_version\":null}");
        assertThat(target(owner, p, locked)).isEqualTo(2);
        owner.putJson(dp + grouped, Map.of("groups", List.of()));
        assertThat(target(owner, p, grouped)).isEqualTo(2);

        JsonNode list = owner.get("/v1/products/" + p + "/firmware").json();
        JsonNode v2 = list.get(1);
        assertThat(v2.get("version").asInt()).isEqualTo(2);
        assertThat(v2.get("product_default").asBoolean()).isTrue();
        assertThat(v2.at("/rollout/targeted").asInt()).isEqualTo(3);
        assertThat(v2.at("/rollout/pending").asInt()).isEqualTo(3);
        assertThat(list.get(0).get("groups")).extracting(JsonNode::asText).containsExactly("beta");
        assertThat(list.get(0).at("/rollout/targeted").asInt()).isEqualTo(1);
        // A new default replaces the old one.
        Firmwares.release(owner, p, 1, true, List.of(), false);
        assertThat(owner.get("/v1/products/" + p + "/firmware/2").json().get("product_default").asBoolean()).isFalse();
        assertThat(target(owner, p, plain)).isEqualTo(1);
    }

    private static Integer target(Api api, long p, String id) {
        JsonNode d = api.get("/v1/products/" + p + "/devices/" + id).json();
        JsonNode t = d.get("targeted_firmware_release_version");
        return t == null || t.isNull() ? null : t.asInt();
    }

    @Test
    void aRemovedDeviceLeavesItsLockBehind() {
        Api owner = cloud.newUser();
        long p = cloud.newProduct(owner, "Lock Removal");
        String id = cloud.productDevice(owner, p).id();
        Firmwares.uploaded(owner, p, 1, Firmwares.image(1000, 1));
        String dp = "/v1/products/" + p + "/devices/";
        assertThat(owner.putJson(dp + id, Map.of("desired_firmware_version", 1)).status()).isEqualTo(200);
        assertThat(owner.deleteJson(dp + id, Map.of()).status()).isEqualTo(204);
        assertThat(owner.postJson("/v1/products/" + p + "/devices", Map.of("id", id)).json().get("updated").asInt()).isEqualTo(1);
        assertThat(owner.get(dp + id).json().get("desired_firmware_version").isNull()).isTrue();
    }

    @Test
    void oversizedUploadsAreRefusedWithAClearError() {
        Api owner = cloud.newUser();
        long p = cloud.newProduct(owner, "Oversized");
        Api.Response overLimit = Firmwares.upload(owner, p, 1, Firmwares.image(5 * 1024 * 1024, 1));
        assertThat(overLimit.status()).isEqualTo(400);
        assertThat(overLimit.json().get("error").asText()).contains("larger than");
        // Beyond what any request may carry: Jetty refuses the multipart body; still a JSON 4xx. The
        // server answers before it has read the whole body and closes the connection after its answer;
        // when that close beats the client's last writes, Java's HttpClient reports a broken pipe
        // instead of the 413 it was sent. Either way nothing is stored and the server carries on.
        try {
            Api.Response huge = Firmwares.upload(owner, p, 2, Firmwares.image(20 * 1024 * 1024, 2));
            assertThat(huge.status()).isEqualTo(413);
            assertThat(huge.json().get("error").asText()).contains("too large");
        } catch (java.io.UncheckedIOException e) {
            assertThat(rootMessages(e)).as("only an early close may stop the client").containsAnyOf("Broken pipe",
                    "Connection reset");
        }
        assertThat(owner.get("/v1/products/" + p + "/firmware").json()).isEmpty();
    }

    private static String rootMessages(Throwable t) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) all.append(c.getMessage()).append(' ');
        return all.toString();
    }
}
