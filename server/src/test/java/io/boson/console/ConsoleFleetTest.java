package io.boson.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.FilePayload;
import io.boson.device.BosonDevice;
import io.boson.testing.TestCloud;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Running a fleet: importing, approving and removing devices, groups, firmware releases and rollouts. */
class ConsoleFleetTest extends BrowserTest {

    @Test
    void importingAThousandIdsFromAFileShowsProgressAndTheResultOfEveryId() {
        Account owner = newAccount();
        long p = cloud.newProduct(owner.api(), "Import Fleet");
        List<String> fresh = cloud.registerDevices(980).stream().map(TestCloud.Credentials::id).toList();
        List<String> already = cloud.registerDevices(10).stream().map(TestCloud.Credentials::id).toList();
        owner.api().postJson("/v1/products/" + p + "/devices", Map.of("ids", already));
        List<String> lines = new ArrayList<>(fresh);
        lines.addAll(already);
        for (int i = 0; i < 10; i++) lines.add("not-a-device-" + i);
        assertThat(lines).hasSize(1000);

        Page page = signIn(owner);
        go(page, "/p/" + p + "/import");
        page.getByLabel("A file with one ID per line").setInputFiles(new FilePayload("ids.txt", "text/plain",
                String.join("\n", lines).getBytes(StandardCharsets.UTF_8)));
        button(page, "Import").click();
        var report = page.getByTestId("import-report");
        assertThat(report.locator("[data-outcome=updatedDeviceIds]")).hasText("980");
        assertThat(report.locator("[data-outcome=existingDeviceIds]")).hasText("10");
        assertThat(report.locator("[data-outcome=invalidDeviceIds]")).hasText("10");
        assertThat(report.locator("[data-outcome=protectedDeviceIds]")).hasText("0");
        assertThat(page.getByText("1000 of 1000 IDs sent")).isVisible();
        report.getByText("show").nth(2).click();
        assertThat(report).containsText("not-a-device-7");
        assertThat(owner.api().get("/v1/products/" + p + "/devices").json().at("/meta/total").asInt()).isEqualTo(990);
        screenshot(page, "import");
    }

    @Test
    void aQuarantinedDeviceIsApprovedAnotherDeniedAndDevicesAreRemovedFromTheList() {
        Account owner = newAccount();
        long p = cloud.newProduct(owner.api(), "Gatekeeping");
        List<TestCloud.Credentials> strangers = cloud.registerDevices(2);
        for (TestCloud.Credentials c : strangers) {
            BosonDevice d = BosonDevice.builder().deviceId(c.id()).secret(c.secret()).host("127.0.0.1").port(cloud.mqttPort())
                    .productId((int) p).productVersion(1).build();
            d.connect().handle((ok, e) -> null).join();
            await().atMost(Duration.ofSeconds(10)).until(() -> !d.isConnected());
        }
        await().until(() -> owner.api().get("/v1/products/" + p + "/devices?quarantined=true").json().get("devices").size() == 2);
        TestCloud.Credentials member = cloud.productDevice(owner.api(), p);

        Page page = signIn(owner);
        go(page, "/p/" + p + "/import");
        var waiting = page.getByRole(AriaRole.TABLE, new Page.GetByRoleOptions().setName("Devices waiting for approval"));
        waiting.getByRole(AriaRole.ROW).filter(new com.microsoft.playwright.Locator.FilterOptions().setHasText(strangers.get(0).id()))
                .getByRole(AriaRole.BUTTON, new com.microsoft.playwright.Locator.GetByRoleOptions().setName("Approve")).click();
        assertThat(page.getByText(strangers.get(0).id() + " approved.")).isVisible();
        waiting.getByRole(AriaRole.ROW).filter(new com.microsoft.playwright.Locator.FilterOptions().setHasText(strangers.get(1).id()))
                .getByRole(AriaRole.BUTTON, new com.microsoft.playwright.Locator.GetByRoleOptions().setName("Deny")).click();
        assertThat(page.getByText(strangers.get(1).id() + " denied.")).isVisible();
        assertThat(waiting).containsText("No device is waiting.");
        assertThat(owner.api().get("/v1/products/" + p + "/devices/" + strangers.get(0).id()).status()).isEqualTo(200);

        // Removing from the list (a confirmation dialog first).
        go(page, "/p/" + p + "/devices");
        page.onDialog(dialog -> dialog.accept());
        page.getByLabel("Select " + member.id()).check();
        button(page, "Remove from product").click();
        assertThat(page.getByText("Removed 1 device(s).")).isVisible();
        assertThat(owner.api().get("/v1/products/" + p + "/devices/" + member.id()).status()).isEqualTo(404);
    }

    @Test
    void aGroupIsCreatedFilledFromTheListAndGetsAnIntelligentReleaseThatTheDeviceTakes() {
        Account owner = newAccount();
        long p = cloud.newProduct(owner.api(), "Rollout Fleet");
        List<TestCloud.Credentials> creds = new ArrayList<>();
        for (int i = 0; i < 3; i++) creds.add(cloud.productDevice(owner.api(), p));
        List<BosonDevice> devices = new ArrayList<>();
        for (TestCloud.Credentials c : creds) {
            BosonDevice d = BosonDevice.builder().deviceId(c.id()).secret(c.secret()).host("127.0.0.1").port(cloud.mqttPort())
                    .productId((int) p).productVersion(1).build();
            d.connect().join();
            devices.add(d);
        }
        try {
            Page page = signIn(owner);
            // A group, created, renamed and recoloured.
            go(page, "/p/" + p + "/groups");
            page.getByLabel("Name (a-z, 0-9, - and _)").fill("canary");
            page.getByLabel("Description").fill("first to update");
            button(page, "Create group").click();
            assertThat(page.getByRole(AriaRole.TABLE, new Page.GetByRoleOptions().setName("Groups"))).containsText("canary");
            page.getByLabel("New name for canary").fill("canaries");
            page.getByLabel("Colour of canary").fill("#ff8800");
            button(page, "Save").click();
            assertThat(page.getByRole(AriaRole.TABLE, new Page.GetByRoleOptions().setName("Groups"))).containsText("canaries");
            JsonNode group = owner.api().get("/v1/products/" + p + "/groups/canaries").json().get("group");
            assertThat(group.get("color").asText()).isEqualToIgnoringCase("#ff8800");

            // Devices added to it in bulk from the list.
            go(page, "/p/" + p + "/devices");
            page.getByLabel("Select " + creds.get(0).id()).check();
            page.getByLabel("Group name").fill("canaries");
            button(page, "Add to group").click();
            assertThat(page.getByText("Added 1 device(s) to canaries.")).isVisible();
            assertThat(owner.api().get("/v1/products/" + p + "/devices/" + creds.get(0).id()).json().get("groups").toString())
                    .contains("canaries");

            // Firmware uploaded, its impact shown, released intelligently to the group.
            go(page, "/p/" + p + "/firmware");
            byte[] image = new byte[40_000];
            new Random(2).nextBytes(image);
            image[0] = 0;
            page.getByLabel("Binary").setInputFiles(new FilePayload("coffee-v2.bin", "application/octet-stream", image));
            page.getByLabel("Version", new Page.GetByLabelOptions().setExact(true)).first().fill("2");
            page.getByLabel("Title").fill("Crema");
            page.getByLabel("Description").fill("better foam");
            button(page, "Upload").click();
            assertThat(page.getByRole(AriaRole.TABLE, new Page.GetByRoleOptions().setName("Firmware versions"))).containsText("Crema");
            page.getByLabel("Group canaries").check();
            page.getByLabel("Intelligent (online devices update at once)").check();
            button(page, "Show impact").click();
            assertThat(page.getByTestId("impact-total")).hasText("1");
            assertThat(page.getByRole(AriaRole.TABLE, new Page.GetByRoleOptions().setName("Impact by current version"))).containsText("v1");
            screenshot(page, "firmware-release");
            button(page, "Confirm release").click();
            assertThat(page.getByText("v2 released to canaries (intelligent).")).isVisible();

            // The rollout, watched: the canary takes v2, the others stay on v1.
            await().atMost(Duration.ofSeconds(20)).until(() -> Integer.valueOf(2).equals(devices.get(0).productVersion()));
            assertThat(page.getByTestId("rollout-2")).containsText("1 updated", new com.microsoft.playwright.assertions
                    .LocatorAssertions.ContainsTextOptions().setTimeout(20_000));
            assertThat(page.getByTestId("running-2")).hasText("1", new com.microsoft.playwright.assertions
                    .LocatorAssertions.HasTextOptions().setTimeout(20_000));
            assertThat(devices.get(1).productVersion()).isEqualTo(1);
            assertThat(devices.get(2).productVersion()).isEqualTo(1);
            screenshot(page, "firmware-rollout");
        } finally {
            devices.forEach(d -> d.disconnect().join());
        }
    }
}
