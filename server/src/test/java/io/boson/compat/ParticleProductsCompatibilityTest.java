package io.boson.compat;

import com.fasterxml.jackson.databind.JsonNode;
import io.boson.testing.Api;
import io.boson.testing.TestCloud;
import io.boson.testing.TestDevice;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** particle-cli's product commands and particle-api-js's product calls against a running server. */
@Tag("compat")
class ParticleProductsCompatibilityTest extends CompatTestBase {

    @Test
    void cliProductDeviceAddListAndRemove() throws Exception {
        Account a = account();
        long product = cloud.newProduct(a.api(), "CLI Product");
        List<String> ids = cloud.registerDevices(3).stream().map(TestCloud.Credentials::id).toList();

        Run add = particle(a.home(), "product", "device", "add", Long.toString(product), ids.get(0));
        assertThat(add.exit()).as(add.toString()).isZero();
        assertThat(add.lines()).as(add.toString()).contains("Success!", "Product " + product + " Includes:", "  " + ids.get(0));

        Path file = Files.writeString(a.home().resolve("ids.txt"), ids.get(1) + "\n\n  " + ids.get(2) + "  \n");
        Run addFile = particle(a.home(), "product", "device", "add", Long.toString(product), "--file", file.toString());
        assertThat(addFile.exit()).as(addFile.toString()).isZero();
        assertThat(addFile.lines()).as(addFile.toString()).contains("  " + ids.get(1), "  " + ids.get(2));

        Run list = particle(a.home(), "product", "device", "list", Long.toString(product), "--json");
        assertThat(list.exit()).as(list.toString()).isZero();
        JsonNode listed = Api.JSON.readTree(list.stdout());
        assertThat(listed.get("data").findValuesAsText("id")).as(list.toString()).containsExactlyInAnyOrderElementsOf(ids);

        Run remove = particle(a.home(), "product", "device", "remove", Long.toString(product), ids.get(0));
        assertThat(remove.exit()).as(remove.toString()).isZero();
        assertThat(remove.stdout()).as(remove.toString())
                .contains("Success! Removed device " + ids.get(0) + " from product " + product);
        assertThat(a.api().get("/v1/products/" + product + "/devices").json().findValuesAsText("id"))
                .containsExactlyInAnyOrder(ids.get(1), ids.get(2));

        // A device of another platform is reported as invalid, and the CLI says so.
        String p2 = cloud.registerDevices(1, 32).get(0).id();
        Run invalid = particle(a.home(), "product", "device", "add", Long.toString(product), p2);
        assertThat(invalid.exit()).as(invalid.toString()).isEqualTo(1);
        assertThat(invalid.lines()).as(invalid.toString()).contains("Skipped Invalid IDs:", "  " + p2);
    }

    @Test
    void apiJsProductCalls() throws Exception {
        Account a = account();
        long product = cloud.newProduct(a.api(), "ApiJs Product");
        TestCloud.Credentials device = cloud.registerDevice();
        String fileDevice = cloud.registerDevice().id();
        // A device whose firmware names the product, waiting for approval, for removeDevice({deny:true}).
        TestCloud.Credentials waiting = cloud.registerDevice();
        TestDevice intruder = TestDevice.connect(cloud, waiting);
        intruder.client().publishWith().topic("d").payload(("{\"platform_id\":13,\"product_id\":" + product + "}").getBytes())
                .qos(com.hivemq.client.mqtt.datatypes.MqttQos.AT_LEAST_ONCE).send();
        intruder.disconnectCause().get(5, java.util.concurrent.TimeUnit.SECONDS);

        String member = newAccount();
        Map<String, String> env = Map.of("BOSON_BASE_URL", cloud.baseUrl(), "BOSON_TOKEN", a.api().token(),
                "BOSON_PRODUCT", Long.toString(product), "BOSON_DEVICE_ID", device.id(), "BOSON_FILE_DEVICE_ID", fileDevice,
                "BOSON_DENY_DEVICE_ID", waiting.id(), "BOSON_MEMBER", member, "BOSON_EVENT_WAIT_MS", "10000");
        SoftAssertions soft = new SoftAssertions();
        try (Proc script = start("node api-js-products.mjs",
                List.of("node", compat.resolve("api-js-products.mjs").toString()), env, tmp)) {
            Optional<String> ready = script.awaitLine(l -> l.equals("READY stream:product") || l.startsWith("FAIL stream:product"),
                    Duration.ofSeconds(60));
            if (ready.isPresent() && ready.get().startsWith("READY")) {
                try (TestDevice d = TestDevice.connect(cloud, device)) {
                    assertThat(d.publish("prod/hello", "hey").getCode()).isZero();
                }
            }
            Run run = script.waitFor(Duration.ofSeconds(60));
            Map<String, JsonNode> ok = run.okSteps();
            List<String> failed = run.failedSteps();
            soft.assertThat(failed).as("failed api-js steps; output: %s", run).isEmpty();
            soft.assertThat(ok.keySet()).as(run.toString()).containsExactly("getProduct", "addDeviceToProduct:id",
                    "addDeviceToProduct:file", "listDevices", "stream:product", "removeDevice:deny", "removeDevice",
                    "inviteTeamMember", "listTeamMembers", "removeTeamMember");
            if (ok.get("listTeamMembers") != null) {
                soft.assertThat(ok.get("listTeamMembers").toString()).contains(member).contains("View-only").contains("Owner");
            }
            if (ok.get("getProduct") != null) soft.assertThat(ok.get("getProduct").path("id").asLong()).isEqualTo(product);
            if (ok.get("addDeviceToProduct:file") != null) {
                soft.assertThat(ok.get("addDeviceToProduct:file").path("updatedDeviceIds").get(0).asText()).isEqualTo(fileDevice);
                soft.assertThat(ok.get("addDeviceToProduct:file").path("updated").asInt()).isEqualTo(1);
            }
            if (ok.get("listDevices") != null) {
                List<String> listed = new ArrayList<>();
                ok.get("listDevices").path("ids").forEach(n -> listed.add(n.asText()));
                soft.assertThat(listed).containsExactlyInAnyOrder(device.id(), fileDevice);
            }
            if (ok.get("stream:product") != null) {
                soft.assertThat(ok.get("stream:product").path("data").asText()).isEqualTo("hey");
                soft.assertThat(ok.get("stream:product").path("productID").asLong()).isEqualTo(product);
            }
        }
        soft.assertThat(a.api().get("/v1/products/" + product + "/devices?quarantined=true").json().get("devices"))
                .as("denied device left the waiting list").isEmpty();
        soft.assertThat(a.api().get("/v1/products/" + product + "/devices").json().findValuesAsText("id"))
                .as("after removeDevice").containsExactly(device.id());
        soft.assertThat(a.api().get("/v1/products/" + product + "/team").json().findValuesAsText("username"))
                .as("after removeTeamMember").doesNotContain(member);
        soft.assertAll();
    }

    /**
     * The shadow-customer flow as a product's app runs it with particle-api-js: createCustomer with
     * the product's client, a claim code with the customer's token, the device claiming with it,
     * then the customer's device calls and event stream; and the client's own product token.
     */
    @Test
    void apiJsCustomerFlow() throws Exception {
        Account a = account();
        long product = cloud.newProduct(a.api(), "ApiJs Customers");
        JsonNode client = a.api().postJson("/v1/products/" + product + "/clients", Map.of("name", "App")).json().get("client");
        TestCloud.Credentials device = cloud.productDevice(a.api(), product);
        String email = "customer-" + System.nanoTime() + "@example.com";
        Map<String, String> env = Map.of("BOSON_BASE_URL", cloud.baseUrl(), "BOSON_PRODUCT", Long.toString(product),
                "BOSON_CLIENT_ID", client.get("id").asText(), "BOSON_CLIENT_SECRET", client.get("secret").asText(),
                "BOSON_CUSTOMER_EMAIL", email, "BOSON_DEVICE_ID", device.id(), "BOSON_EVENT_WAIT_MS", "10000");
        SoftAssertions soft = new SoftAssertions();
        try (TestDevice d = TestDevice.connect(cloud, device);
             Proc script = start("node api-js-customers.mjs",
                     List.of("node", compat.resolve("api-js-customers.mjs").toString()), env, tmp)) {
            Optional<String> code = script.awaitLine(l -> l.startsWith("OK getClaimCode") || l.startsWith("FAIL"),
                    Duration.ofSeconds(60));
            if (code.isPresent() && code.get().startsWith("OK")) {
                String claimCode = Api.JSON.readTree(code.get().split(" ", 3)[2]).get("claim_code").asText();
                assertThat(d.publishRaw("k", claimCode.getBytes(java.nio.charset.StandardCharsets.UTF_8)).getCode()).isZero();
            }
            Optional<String> ready = script.awaitLine(l -> l.equals("READY stream:customer") || l.startsWith("FAIL stream:customer"),
                    Duration.ofSeconds(60));
            if (ready.isPresent() && ready.get().startsWith("READY")) {
                assertThat(d.publish("cust/hello", "hi customer").getCode()).isZero();
            }
            Run run = script.waitFor(Duration.ofSeconds(60));
            Map<String, JsonNode> ok = run.okSteps();
            List<String> failed = run.failedSteps();
            soft.assertThat(failed).as("failed api-js steps; output: %s", run).isEmpty();
            soft.assertThat(ok.keySet()).as(run.toString()).containsExactly("createCustomer", "getClaimCode", "claimed",
                    "listDevices", "callFunction", "getVariable", "stream:customer", "loginAsClientOwner", "listDevices:product");
            if (ok.get("listDevices") != null) {
                soft.assertThat(ok.get("listDevices").toString()).contains(device.id()).contains(email);
            }
            if (ok.get("callFunction") != null) soft.assertThat(ok.get("callFunction").path("return_value").asInt()).isEqualTo(1);
            if (ok.get("getVariable") != null) soft.assertThat(ok.get("getVariable").path("result").asDouble()).isEqualTo(21.5);
            if (ok.get("stream:customer") != null) {
                soft.assertThat(ok.get("stream:customer").path("data").asText()).isEqualTo("hi customer");
                soft.assertThat(ok.get("stream:customer").path("coreid").asText()).isEqualTo(device.id());
            }
            if (ok.get("listDevices:product") != null) {
                soft.assertThat(ok.get("listDevices:product").toString()).contains(device.id()).contains(email);
            }
        }
        soft.assertAll();
    }
}
