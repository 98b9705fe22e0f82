package io.boson.compat;

import com.fasterxml.jackson.databind.JsonNode;
import io.boson.testing.Api;
import io.boson.testing.TestCloud;
import io.boson.testing.TestDevice;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What particle-cli's own end-to-end suite (test/e2e of particle-cli 3.43.1, run by its maintainers
 * against Particle's real cloud) expects of the cloud where the real cloud answers differently from
 * a first reading of the reference: each test runs the pinned CLI unchanged and checks what it
 * prints, with the lines the e2e suite asserts, and the effect on the server.
 */
@Tag("compat")
class ParticleEndToEndCompatibilityTest extends CompatTestBase {

    private static final String MALFORMED_ID = "1234567890";

    /** e2e token.e2e.js: {@code particle token create} logs in through OAuth client {@code user}. */
    @Test
    void cliTokenCreateMakesAWorkingToken() {
        Account a = account();

        Run create = particleWithInput(a.home(), PASSWORD + "\n", "token", "create");
        Run never = particleWithInput(a.home(), PASSWORD + "\n", "token", "create", "--never-expires");

        for (Run run : List.of(create, never)) {
            assertThat(run.exit()).as(run.toString()).isZero();
            assertThat(run.stderr()).as(run.toString()).isEmpty();
        }
        List<String> lines = create.lines().stream().filter(l -> !l.isBlank()).toList();
        assertThat(lines.get(lines.size() - 2)).as(create.toString()).contains("New access token expires on");
        String token = lines.get(lines.size() - 1).trim();
        assertThat(cloud.anonymous().as(token).get("/v1/user").json().path("username").asText()).isEqualTo(a.username());

        List<String> neverLines = never.lines().stream().filter(l -> !l.isBlank()).toList();
        assertThat(neverLines.get(neverLines.size() - 2)).as(never.toString()).contains("New access token never expires");
        String forever = neverLines.get(neverLines.size() - 1).trim();
        assertThat(cloud.anonymous().as(forever).get("/v1/devices").status()).isEqualTo(200);

        Run wrong = particleWithInput(a.home(), "not-the-password\n", "token", "create");
        assertThat(wrong.exit()).as(wrong.toString()).isNotZero();
        assertThat(wrong.stdout() + wrong.stderr()).as(wrong.toString()).doesNotContain("New access token");
    }

    /**
     * e2e cloud.e2e.js and function.e2e.js: a device the caller cannot see, unknown or someone
     * else's, is 403 "Permission Denied" on the device routes, the same answer for both.
     */
    @Test
    void devicesTheCallerCannotSeeArePermissionDeniedAlike() {
        Account a = account();
        Account other = account();
        try (TestDevice mine = cloud.claimedDevice(a.api()); TestDevice foreign = cloud.claimedDevice(other.api())) {
            for (String id : List.of(MALFORMED_ID, "0123456789abcdef01234567", foreign.id)) {
                Run rename = particle(a.home(), "cloud", "name", id, "NOPE");
                assertThat(rename.exit()).as(rename.toString()).isEqualTo(1);
                assertThat(rename.lines()).as(rename.toString())
                        .contains("Renaming device " + id, "Failed to rename " + id + ": Permission Denied");

                Run call = particle(a.home(), "function", "call", id, "led");
                assertThat(call.exit()).as(call.toString()).isEqualTo(1);
                assertThat(call.stdout()).as(call.toString()).contains("Error calling function: `led`")
                        .doesNotContain("not found");
            }
            Run unknownFunction = particle(a.home(), "function", "call", mine.id, "WATNOPE");
            assertThat(unknownFunction.stdout()).as(unknownFunction.toString())
                    .contains("Function call failed: Function `WATNOPE` not found");
            assertThat(other.api().get("/v1/devices/" + foreign.id).json().path("name").asText()).isNotEqualTo("NOPE");

            // Every device route gives the same body for an unknown ID and for someone else's device.
            for (String suffix : List.of("", "/temp", "/led")) {
                Api.Response unknown = suffix.equals("/led")
                        ? a.api().postJson("/v1/devices/0123456789abcdef01234567" + suffix, Map.of("args", "on"))
                        : a.api().get("/v1/devices/0123456789abcdef01234567" + suffix);
                Api.Response theirs = suffix.equals("/led")
                        ? a.api().postJson("/v1/devices/" + foreign.id + suffix, Map.of("args", "on"))
                        : a.api().get("/v1/devices/" + foreign.id + suffix);
                assertThat(unknown.status()).as(unknown.toString()).isEqualTo(403);
                assertThat(theirs.status()).as(theirs.toString()).isEqualTo(403);
                assertThat(theirs.json()).isEqualTo(unknown.json());
                assertThat(unknown.json().path("error").asText()).isEqualTo("Permission Denied");
                assertThat(unknown.json().path("info").asText()).startsWith("I didn't recognize that device name or ID");
            }
            assertThat(received(foreign, "c/f/")).as("the foreign device got no call").startsWith("<");
        }
    }

    /** e2e variable.e2e.js: "Error: Unknown Variable: NOPE". */
    @Test
    void cliGetOfAnUnknownVariableSaysUnknownVariable() {
        Account a = account();
        try (TestDevice device = cloud.claimedDevice(a.api())) {
            a.api().putJson("/v1/devices/" + device.id, Map.of("name", "e2e_vars"));

            Run get = particle(a.home(), "get", "e2e_vars", "NOPE");

            assertThat(get.exit()).as(get.toString()).isEqualTo(1);
            assertThat(get.stdout()).as(get.toString())
                    .contains("Error: Unknown Variable: NOPE\nError while reading value: Some variables could not be read");
            assertThat(get.stderr()).isEmpty();
        }
    }

    /** e2e cloud.e2e.js: claiming a malformed ID fails as for an unknown device. */
    @Test
    void cliClaimOfAMalformedIdSaysDeviceNotFound() {
        Account a = account();
        for (String id : List.of(MALFORMED_ID, "0123456789abcdef01234567")) {
            Run claim = particle(a.home(), "cloud", "claim", id);

            assertThat(claim.exit()).as(claim.toString()).isEqualTo(1);
            assertThat(claim.lines()).as(claim.toString())
                    .contains("Claiming device " + id, "Failed to claim device: device not found");
            assertThat(claim.stderr()).isEmpty();
        }
    }

    /** e2e product.e2e.js: removing, importing and showing product devices. */
    @Test
    void cliProductDeviceCommandsAnswerAsParticlesCloud() throws Exception {
        Account a = account();
        long product = cloud.newProduct(a.api(), "E2E Product");
        String p = Long.toString(product);
        TestCloud.Credentials one = cloud.productDevice(a.api(), product);
        String two = cloud.registerDevice().id();

        Run remove = particle(a.home(), "product", "device", "remove", p, "000000000000000000000001");
        assertThat(remove.exit()).as(remove.toString()).isEqualTo(1);
        assertThat(remove.stdout()).as(remove.toString())
                .contains("Error removing device from product: Device not found for this product");

        Path file = Files.writeString(tmp.resolve("product-device-ids.txt"),
                String.join("\n", "WAT", one.id(), "NOPE", two, "NOPE", "LOL"));
        Run add = particle(a.home(), "product", "device", "add", p, "--file", file.toString());
        assertThat(add.exit()).as(add.toString()).isZero();
        assertThat(add.lines()).as(add.toString())
                .contains("Product " + p + " Includes:", "  " + two, "Skipped Invalid IDs:", "  WAT", "  NOPE", "  LOL")
                .doesNotContain("  wat", "  nope", "  lol", "Skipped Non-Member IDs:");

        try (TestDevice device = TestDevice.connect(cloud, one)) {
            Run detail = particle(a.home(), "product", "device", "list", p, one.id(), "--json");
            assertThat(detail.exit()).as(detail.toString()).isZero();
            JsonNode data = Api.JSON.readTree(detail.stdout()).path("data");
            assertThat(data.path("id").asText()).isEqualTo(one.id());
            List<String> keys = new java.util.ArrayList<>();
            data.fieldNames().forEachRemaining(keys::add);
            assertThat(keys).as(detail.toString()).contains("cellular", "connected",
                    "current_build_target", "default_build_target", "denied",
                    "development", "firmware_product_id", "firmware_updates_enabled",
                    "firmware_updates_forced", "groups",
                    "id", "last_handshake_at", "last_heard",
                    "last_ip_address", "mobile_secret", "name",
                    "online", "owner", "platform_id",
                    "product_id", "quarantined", "serial_number",
                    "system_firmware_version", "targeted_firmware_release_version");
            // With no build target pinned, both targets are the Device OS version the device runs.
            assertThat(data.path("current_build_target").asText()).isEqualTo("6.3.0");
            assertThat(data.path("default_build_target").asText()).isEqualTo("6.3.0");
            assertThat(device.connected()).isTrue();
        }
    }

    /**
     * A firmware that publishes three events a second in bursts, as many do: Device OS sends all of
     * them (it refuses only a fifth event within one second), so the cloud must deliver all of them.
     */
    @Test
    void cliSubscribeReceivesEveryEventOfAFirmwarePublishingThreeASecondInBursts() {
        Account a = account();
        int seconds = 6;
        int perBurst = 3;
        try (TestDevice device = cloud.claimedDevice(a.api());
             Proc sub = startParticle(a.home(), "subscribe", "burst", "--max", Integer.toString(seconds * perBurst))) {
            boolean open = sub.awaitLines(Proc.afterLine(
                    "This command will exit after receiving " + seconds * perBurst + " event(s)...", String::isEmpty),
                    COMMAND_TIMEOUT);
            assertThat(open).as("stream open; %s", sub).isTrue();

            for (int s = 0; s < seconds; s++) {
                for (int i = 0; i < perBurst; i++) {
                    assertThat(device.publish("burst", s + "." + i).getCode()).as("event %d.%d", s, i).isZero();
                }
                cloud.clock.advance(Duration.ofSeconds(1));
            }

            Run done = sub.waitFor(WAIT);
            assertThat(done.exit()).as(done.toString()).isZero();
            assertThat(done.stdout()).contains(seconds * perBurst + " event(s) received. Exiting...");
            assertThat(done.lines().stream().filter(l -> l.startsWith("{")).count()).isEqualTo(seconds * perBurst);
            Api.Response last = a.api().get("/v1/diagnostics/" + device.id + "/last");
            assertThat(last.json().path("diagnostics").path("payload").path("rate_limited").asLong()).isZero();
        }
    }
}
