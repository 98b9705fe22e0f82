package io.boson.compat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.boson.testing.Api;
import io.boson.testing.SseStream;
import io.boson.testing.TestCloud;
import io.boson.testing.TestDevice;
import org.assertj.core.api.SoftAssertions;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The pinned Particle tools, unchanged, against a running Boson: particle-cli 3.43.1 (which talks
 * through its bundled particle-api-js 11.1.7 and a legacy client) and particle-api-js 12.0.3, both
 * installed from npm into {@code compat/}. What each command sends and prints is documented in
 * {@code particle-cli-calls.md}; the assertions use those stdout lines and check the effect on the
 * server through the Java {@link Api}.
 *
 * <p>{@code compat/node_modules} is installed with {@code npm ci} on first use, so a clean checkout
 * needs Node 20+ and npm on the PATH. {@code -Dboson.compat.verbose=true} prints every command's output.
 */
@Tag("compat")
class ParticleToolsCompatibilityTest extends CompatTestBase {
    // ------------------------------------------------------------------------------------------
    // particle-cli 3.43.1
    // ------------------------------------------------------------------------------------------

    @Test
    void cliLoginWithUsernameAndPasswordSavesAWorkingToken() throws IOException {
        String username = newAccount();
        Path home = cliHome(null, null);

        Run login = particle(home, "login", "-u", username, "-p", PASSWORD);

        assertThat(login.exit()).as(login.toString()).isZero();
        assertThat(login.stdout()).as(login.toString()).contains("Successfully completed login!");
        JsonNode config = readConfig(home);
        assertThat(config.path("username").asText()).isEqualTo(username);
        String token = config.path("access_token").asText(null);
        assertThat(token).as("access_token in %s", config).isNotBlank();
        Api.Response me = cloud.anonymous().as(token).get("/v1/user");
        assertThat(me.status()).as(me.toString()).isEqualTo(200);
        assertThat(me.json().path("username").asText()).isEqualTo(username);
    }

    @Test
    void cliDeviceAddClaimsAConnectedDevice() {
        Account a = account();
        TestCloud.Credentials c = cloud.registerDevice();
        try (TestDevice device = TestDevice.connect(cloud, c)) {
            Run add = particle(a.home(), "device", "add", c.id());

            assertThat(add.exit()).as(add.toString()).isZero();
            assertThat(add.lines()).as(add.toString())
                    .contains("Claiming device " + c.id(), "Successfully claimed device " + c.id());
            Api.Response d = a.api().get("/v1/devices/" + c.id());
            assertThat(d.status()).as(d.toString()).isEqualTo(200);
            assertThat(d.json().path("id").asText()).isEqualTo(c.id());
        }
    }

    @Test
    void cliDeviceRenameRenames() {
        Account a = account();
        try (TestDevice device = cloud.claimedDevice(a.api())) {
            Run rename = particle(a.home(), "device", "rename", device.id, "cli_renamed");

            assertThat(rename.exit()).as(rename.toString()).isZero();
            assertThat(rename.lines()).as(rename.toString())
                    .contains("Renaming device " + device.id, "Successfully renamed device " + device.id + " to: cli_renamed");
            assertThat(a.api().get("/v1/devices/" + device.id).json().path("name").asText()).isEqualTo("cli_renamed");
        }
    }

    @Test
    void cliListShowsTheDeviceWithItsVariablesAndFunctions() {
        Account a = account();
        try (TestDevice device = cloud.claimedDevice(a.api())) {
            assertThat(a.api().putJson("/v1/devices/" + device.id, Map.of("name", "listed_dev")).status()).isEqualTo(200);

            Run list = particle(a.home(), "list");

            assertThat(list.exit()).as(list.toString()).isZero();
            assertThat(list.lines()).as(list.toString()).containsSubsequence(
                    "listed_dev [" + device.id + "] (Boron) is online",
                    "  Variables:",
                    "  Functions:",
                    "    int led (String args)");
            assertThat(list.lines()).as(list.toString()).contains(
                    "    temp (double)", "    count (int32)", "    label (string)", "    armed (bool)");
        }
    }

    @Test
    void cliGetPrintsTheVariableValue() {
        Account a = account();
        try (TestDevice device = cloud.claimedDevice(a.api())) {
            Run get = particle(a.home(), "get", device.id, "temp");

            assertThat(get.exit()).as(get.toString()).isZero();
            assertThat(get.lines()).as(get.toString()).contains("21.5");
        }
    }

    @Test
    void cliCallPrintsTheReturnValueByIdAndByName() {
        Account a = account();
        try (TestDevice device = cloud.claimedDevice(a.api())) {
            Run on = particle(a.home(), "call", device.id, "led", "on");
            assertThat(on.exit()).as(on.toString()).isZero();
            assertThat(on.lines()).as(on.toString()).contains("1");

            // Trap 13: a device name arrives in the id slot unchanged.
            assertThat(a.api().putJson("/v1/devices/" + device.id, Map.of("name", "porch")).status()).isEqualTo(200);
            Run off = particle(a.home(), "call", "porch", "led", "off");
            assertThat(off.exit()).as(off.toString()).isZero();
            assertThat(off.lines()).as(off.toString()).contains("0");
        }
    }

    @Test
    void cliPublishReachesTheOwnersDeviceAndStream() {
        Account a = account();
        try (TestDevice device = cloud.claimedDevice(a.api());
             SseStream stream = SseStream.open(cloud.baseUrl(), "/v1/devices/events/cli", a.api().token())) {
            assertThat(stream.status()).isEqualTo(200);

            Run publish = particle(a.home(), "publish", "cli/hello", "world");

            assertThat(publish.exit()).as(publish.toString()).isZero();
            assertThat(publish.lines()).as(publish.toString()).contains("Published private event: cli/hello");
            assertThat(new String(device.next("c/e/cli/hello", WAIT).getPayloadAsBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("world");
            SseStream.Received e = stream.next("cli/hello", WAIT);
            assertThat(e.data().path("data").asText()).isEqualTo("world");
        }
    }

    @Test
    void cliSubscribePrintsTheFirstMatchingDeviceEventAndExits() throws Exception {
        Account a = account();
        try (TestDevice device = cloud.claimedDevice(a.api());
             Proc sub = startParticle(a.home(), "subscribe", "sensors/door", "--max", "1")) {
            // The CLI prints an empty line once getEventStream has resolved (the stream is open).
            boolean open = sub.awaitLines(Proc.afterLine("This command will exit after receiving 1 event(s)...",
                    String::isEmpty), WAIT);
            assertThat(open).as("stream open; %s", sub).isTrue();
            assertThat(sub.lines()).contains("Subscribing to \"sensors/door\" from my devices");

            assertThat(device.publish("sensors/window", "ajar").getCode()).isZero();
            assertThat(device.publish("sensors/door", "open").getCode()).isZero();

            Run done = sub.waitFor(WAIT);
            assertThat(done.exit()).as(done.toString()).isZero();
            List<String> json = done.lines().stream().filter(l -> l.startsWith("{")).toList();
            assertThat(json).as(done.toString()).hasSize(1);
            JsonNode event = Api.JSON.readTree(json.get(0));
            assertThat(event.path("name").asText()).isEqualTo("sensors/door");
            assertThat(event.path("data").asText()).isEqualTo("open");
            assertThat(event.path("coreid").asText()).isEqualTo(device.id);
            assertThat(event.has("published_at")).isTrue();
            assertThat(done.stdout()).contains("1 event(s) received. Exiting...");
        }
    }

    @Test
    void cliNyanSignalsTheDevice() {
        Account a = account();
        try (TestDevice device = cloud.claimedDevice(a.api())) {
            Run nyan = particle(a.home(), "nyan", device.id, "on");

            assertThat(nyan.exit()).as(nyan.toString()).isZero();
            assertThat(nyan.stdout()).as(nyan.toString()).doesNotContain("Signaling failed");
            assertThat(new String(device.next("c/signal", WAIT).getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("1");
        }
    }

    @Test
    void cliDeviceRemoveReleasesTheDevice() {
        Account a = account();
        try (TestDevice device = cloud.claimedDevice(a.api())) {
            Run remove = particle(a.home(), "device", "remove", device.id, "--yes");

            assertThat(remove.exit()).as(remove.toString()).isZero();
            assertThat(remove.lines()).as(remove.toString()).contains("releasing device " + device.id, "Okay!");
            JsonNode mine = a.api().get("/v1/devices").json();
            assertThat(mine.findValuesAsText("id")).doesNotContain(device.id);
        }
    }

    @Test
    void cliTokenRevokeRevokesAnotherTokenWithoutCredentials() {
        Account a = account();
        Api second = cloud.login(a.username(), PASSWORD);
        assertThat(second.get("/v1/devices").status()).isEqualTo(200);

        Run revoke = particle(a.home(), "token", "revoke", second.token());

        // The CLI exits 0 even when revoking fails; the reason only shows on stderr.
        assertThat(revoke.exit()).as(revoke.toString()).isZero();
        assertThat(revoke.stderr()).as(revoke.toString()).doesNotContain("Failed to revoke");
        assertThat(revoke.lines()).as(revoke.toString()).contains("Successfully revoked all provided tokens");
        assertThat(second.get("/v1/devices").status()).isEqualTo(401);
        assertThat(a.api().get("/v1/devices").status()).isEqualTo(200);
    }

    @Test
    void cliLogoutRevokesTheCurrentToken() throws IOException {
        Account a = account();

        Run logout = particle(a.home(), "logout");

        assertThat(logout.exit()).as(logout.toString()).isZero();
        assertThat(logout.stdout()).as(logout.toString())
                .contains("You have been logged out from " + a.username())
                .doesNotContain("There was an error revoking the token");
        assertThat(readConfig(a.home()).path("access_token").isNull()).isTrue();
        assertThat(a.api().get("/v1/devices").status()).isEqualTo(401);
    }

    // ------------------------------------------------------------------------------------------
    // particle-api-js 12.0.3 (compat/api-js-smoke.mjs)
    // ------------------------------------------------------------------------------------------

    @Test
    void apiJsDrivesADeviceAndReceivesItsEvents() throws Exception {
        String username = newAccount();
        Api api = cloud.login(username, PASSWORD);
        TestCloud.Credentials c = cloud.registerDevice();
        Map<String, String> env = Map.of("BOSON_BASE_URL", cloud.baseUrl(), "BOSON_USERNAME", username,
                "BOSON_PASSWORD", PASSWORD, "BOSON_DEVICE_ID", c.id(), "BOSON_EVENT_WAIT_MS", "10000");
        SoftAssertions soft = new SoftAssertions();
        try (TestDevice device = TestDevice.connect(cloud, c);
             Proc script = start("node api-js-smoke.mjs", List.of("node", compat.resolve("api-js-smoke.mjs").toString()), env, tmp)) {

            // Stream 1: deviceId 'mine' with a prefix holding '/', sent as sensors%2Fdoor.
            Optional<String> mine = script.awaitLine(l -> l.equals("READY stream:mine") || l.startsWith("FAIL stream:mine"),
                    Duration.ofSeconds(60));
            if (mine.isPresent() && mine.get().startsWith("READY")) {
                // Everything before the streams has run: check the server saw it.
                Api.Response d = api.get("/v1/devices/" + c.id());
                soft.assertThat(d.status()).as("owner reads the device claimed by api-js: %s", d).isEqualTo(200);
                soft.assertThat(d.json().path("name").asText()).as("name after api-js renameDevice").isEqualTo("apijs_device");
                soft.assertThat(received(device, "c/e/apijs/cmd")).as("device receives the api-js publishEvent").isEqualTo("go");
                assertThat(device.publish("sensors/window", "ajar").getCode()).isZero();
                assertThat(device.publish("sensors/door", "open").getCode()).isZero();
            }
            // Stream 2: one device's events.
            Optional<String> one = script.awaitLine(l -> l.equals("READY stream:device") || l.startsWith("FAIL stream:device"),
                    Duration.ofSeconds(30));
            if (one.isPresent() && one.get().startsWith("READY")) {
                assertThat(device.publish("apijs/hello", "hi").getCode()).isZero();
            }
            Run run = script.waitFor(Duration.ofSeconds(60));
            Map<String, JsonNode> ok = run.okSteps();
            List<String> failed = run.failedSteps();
            soft.assertThat(failed).as("failed api-js steps; output: %s", run).isEmpty();
            soft.assertThat(run.exit()).as(run.toString()).isZero();
            soft.assertThat(ok.keySet()).as(run.toString()).containsExactly("login", "claimDevice", "listDevices",
                    "getDevice", "renameDevice", "getVariable", "callFunction", "publishEvent", "stream:mine",
                    "stream:device", "removeDevice");

            JsonNode login = ok.get("login");
            if (login != null) {
                soft.assertThat(login.path("token_type").asText()).isEqualToIgnoringCase("bearer");
                soft.assertThat(login.path("has_access_token").asBoolean()).isTrue();
            }
            JsonNode list = ok.get("listDevices");
            if (list != null) soft.assertThat(list.findValuesAsText("id")).as("listDevices").contains(c.id());
            JsonNode dev = ok.get("getDevice");
            if (dev != null) {
                soft.assertThat(dev.path("id").asText()).as("getDevice id").isEqualTo(c.id());
                soft.assertThat(dev.path("connected").asBoolean()).as("getDevice connected").isTrue();
            }
            JsonNode variable = ok.get("getVariable");
            if (variable != null) soft.assertThat(variable.path("result").asDouble()).as("getVariable result").isEqualTo(21.5);
            JsonNode call = ok.get("callFunction");
            if (call != null) soft.assertThat(call.path("return_value").asInt()).as("callFunction return_value").isEqualTo(1);
            JsonNode doorEvent = ok.get("stream:mine");
            if (doorEvent != null) {
                soft.assertThat(doorEvent.path("name").asText()).isEqualTo("sensors/door");
                soft.assertThat(doorEvent.path("data").asText()).isEqualTo("open");
                soft.assertThat(doorEvent.path("coreid").asText()).isEqualTo(c.id());
            }
            soft.assertThat(run.lines()).as("events outside the sensors/door prefix on the 'mine' stream")
                    .noneMatch(l -> l.startsWith("SKIP stream:mine"));
            JsonNode deviceEvent = ok.get("stream:device");
            if (deviceEvent != null) {
                soft.assertThat(deviceEvent.path("data").asText()).isEqualTo("hi");
                soft.assertThat(deviceEvent.path("coreid").asText()).isEqualTo(c.id());
            }
            if (ok.containsKey("removeDevice")) {
                soft.assertThat(api.get("/v1/devices").json().findValuesAsText("id")).as("devices after removeDevice")
                        .doesNotContain(c.id());
            }
        }
        soft.assertAll();
    }

}
