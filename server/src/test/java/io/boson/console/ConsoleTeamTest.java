package io.boson.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import io.boson.testing.Api;
import io.boson.testing.TestCloud;
import io.boson.testing.TestDevice;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import java.util.Map;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/** Team and access: roles decide what is offered, secrets are shown once, customers see their own devices only. */
class ConsoleTeamTest extends BrowserTest {

    @Test
    void aMemberInvitedAsViewOnlyIsNotOfferedReleaseImportOrEditsUntilTheirRoleChanges() {
        Account owner = newAccount();
        Account viewer = newAccount();
        long p = cloud.newProduct(owner.api(), "Guarded");
        TestCloud.Credentials device = cloud.productDevice(owner.api(), p);
        owner.api().multipart("POST", "/v1/products/" + p + "/firmware", "fw.bin", new byte[]{0, 1, 2, 3},
                Map.of("version", "2", "title", "v2"));

        Page admin = signIn(owner);
        go(admin, "/p/" + p + "/team");
        admin.getByLabel("Username (an existing account)").fill(viewer.username());
        admin.getByLabel("Role", new Page.GetByLabelOptions().setExact(true)).selectOption("View-only");
        button(admin, "Invite").click();
        assertThat(admin.getByText(viewer.username() + " invited as View-only.")).isVisible();
        assertThat(admin.getByLabel("Role of " + viewer.username())).hasValue("View-only");
        screenshot(admin, "team");

        Page page = signIn(viewer);
        assertThat(page.getByRole(AriaRole.TABLE, new Page.GetByRoleOptions().setName("Products"))).containsText("View-only");
        go(page, "/p/" + p + "/devices");
        assertThat(page.getByTestId("role")).hasText("View-only");
        assertThat(row(page, device.id())).isVisible();
        var tabs = page.getByRole(AriaRole.NAVIGATION, new Page.GetByRoleOptions().setName("Product"));
        assertThat(tabs.getByRole(AriaRole.LINK, new com.microsoft.playwright.Locator.GetByRoleOptions().setName("Firmware"))).isVisible();
        assertThat(tabs.getByRole(AriaRole.LINK, new com.microsoft.playwright.Locator.GetByRoleOptions().setName("Import"))).hasCount(0);
        assertThat(tabs.getByRole(AriaRole.LINK, new com.microsoft.playwright.Locator.GetByRoleOptions().setName("Audit log"))).hasCount(0);
        assertThat(page.getByLabel("Select " + device.id())).hasCount(0);
        go(page, "/p/" + p + "/firmware");
        assertThat(page.getByRole(AriaRole.TABLE, new Page.GetByRoleOptions().setName("Firmware versions"))).containsText("v2");
        assertThat(page.getByRole(AriaRole.REGION, new Page.GetByRoleOptions().setName("Release firmware"))).hasCount(0);
        assertThat(page.getByRole(AriaRole.REGION, new Page.GetByRoleOptions().setName("Upload firmware"))).hasCount(0);
        go(page, "/p/" + p + "/import");
        assertThat(page.getByText("Your role does not allow importing devices.")).isVisible();
        assertThat(button(page, "Import")).hasCount(0);
        go(page, "/p/" + p + "/devices/" + device.id());
        assertThat(page.getByRole(AriaRole.REGION, new Page.GetByRoleOptions().setName("Edit"))).hasCount(0);
        assertThat(button(page, "Ping")).hasCount(0);
        go(page, "/p/" + p + "/team");
        assertThat(button(page, "Invite")).hasCount(0);
        // The API refuses what the console does not offer (the same table decides).
        assertThat(viewer.api().putJson("/v1/products/" + p + "/firmware/release", Map.of("version", 2, "product_default", true))
                .status()).isEqualTo(403);

        // Promoted to Developer by the owner, the member is offered import and release.
        go(admin, "/p/" + p + "/team");
        admin.getByLabel("Role of " + viewer.username()).selectOption("Developer");
        assertThat(admin.getByText(viewer.username() + " is now Developer.")).isVisible();
        go(page, "/p/" + p + "/firmware");
        page.reload();
        assertThat(page.getByRole(AriaRole.REGION, new Page.GetByRoleOptions().setName("Release firmware"))).isVisible();
        assertThat(tabs.getByRole(AriaRole.LINK, new com.microsoft.playwright.Locator.GetByRoleOptions().setName("Import"))).isVisible();
    }

    @Test
    void apiUserTokensAndClientSecretsAreShownOnceAndWork() {
        Account owner = newAccount();
        long p = cloud.newProduct(owner.api(), "Integrations");
        cloud.productDevice(owner.api(), p);
        Page page = signIn(owner);
        go(page, "/p/" + p + "/team");
        page.getByLabel("API user name").fill("dashboard");
        page.getByLabel("devices:list").check();
        button(page, "Create API user").click();
        String token = page.getByTestId("token-once").innerText().trim();
        assertThat(cloud.anonymous().as(token).get("/v1/products/" + p + "/devices").json().at("/meta/total").asInt()).isEqualTo(1);
        assertThat(cloud.anonymous().as(token).get("/v1/products/" + p + "/team").status()).isEqualTo(403);

        page.getByLabel("Client name").fill("mobile app");
        button(page, "Create client").click();
        String secret = page.getByTestId("secret-once").innerText().trim();
        JsonNode clients = owner.api().get("/v1/products/" + p + "/clients").json().get("clients");
        String clientId = clients.get(0).get("id").asText();
        Api.Response grant = cloud.anonymous().postForm("/oauth/token", Map.of("grant_type", "client_credentials",
                "client_id", clientId, "client_secret", secret));
        assertThat(grant.status()).isEqualTo(200);

        // Once: shown again, the page has neither.
        page.reload();
        assertThat(page.getByRole(AriaRole.TABLE, new Page.GetByRoleOptions().setName("API users"))).containsText("devices:list");
        assertThat(page.getByRole(AriaRole.TABLE, new Page.GetByRoleOptions().setName("OAuth clients"))).containsText("mobile app");
        assertThat(page.locator("body")).not().containsText(token);
        assertThat(page.locator("body")).not().containsText(secret);
    }

    @Test
    void aCustomerCreatedInTheConsoleSignsInAndSeesOnlyTheirOwnDevices() {
        Account owner = newAccount();
        long p = cloud.newProduct(owner.api(), "Smart Kettles");
        JsonNode client = owner.api().postJson("/v1/products/" + p + "/clients", Map.of("name", "app", "type", "installed"))
                .json().get("client");
        Page page = signIn(owner);
        go(page, "/p/" + p + "/customers");
        page.getByLabel("Email").fill("carol@example.com");
        page.getByLabel("Password (8 or more characters)").fill("carol-password");
        button(page, "Create customer").click();
        assertThat(page.getByRole(AriaRole.TABLE, new Page.GetByRoleOptions().setName("Customers"))).containsText("carol@example.com");

        TestCloud.Credentials hers = cloud.productDevice(owner.api(), p);
        TestCloud.Credentials someoneElses = cloud.productDevice(owner.api(), p);
        TestDevice mine = cloud.claimedDevice(owner.api());
        Api carol = customer(client, "carol@example.com", "carol-password");
        try (TestDevice kettle = TestDevice.connect(cloud, hers); TestDevice other = TestDevice.connect(cloud, someoneElses)) {
            String code = carol.postJson("/v1/products/" + p + "/device_claims", Map.of()).json().get("claim_code").asText();
            assertThat(kettle.publishRaw("k", code.getBytes(StandardCharsets.UTF_8)).getCode()).isZero();
            org.awaitility.Awaitility.await().until(() -> carol.get("/v1/devices").json().size() == 1);

            Page customerTab = tab();
            customerTab.getByText("I am a customer of a product").click();
            customerTab.getByLabel("Product client ID").fill(client.get("id").asText());
            customerTab.getByLabel("Product client secret").fill(client.get("secret").asText());
            signIn(customerTab, "carol@example.com", "carol-password");
            assertThat(customerTab.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("My devices"))).isVisible();
            assertThat(customerTab.locator("tr[data-device]")).hasCount(1);
            assertThat(row(customerTab, hers.id()).locator("[data-online]")).hasAttribute("data-online", "true");
            assertThat(row(customerTab, someoneElses.id())).hasCount(0);
            assertThat(row(customerTab, mine.id)).hasCount(0);
            // Product pages are not for customers: the API's refusal is shown in words.
            go(customerTab, "/p/" + p + "/devices");
            assertThat(customerTab.getByRole(AriaRole.ALERT)).containsText("Customers cannot use product APIs");
            go(customerTab, "/devices/" + hers.id());
            assertThat(customerTab.getByTestId("online")).containsText("online");
        } finally {
            mine.close();
        }
    }

    @Test
    void anOrganizationShowsItsProductsTeamAndAuditLogAndAProductItsAuditLog() {
        Account owner = newAccount();
        Account colleague = newAccount();
        String org = owner.api().postJson("/v1/orgs", Map.of("name", "Globex " + colleague.username().substring(5, 13)))
                .json().at("/organization/slug").asText();
        owner.api().postJson("/v1/orgs/" + org + "/products", Map.of("name", "Globex Sensors", "platform_id", 13));
        long p = cloud.newProduct(owner.api(), "Solo Product");
        owner.api().postJson("/v1/products/" + p + "/team", Map.of("username", colleague.username(), "role", "Support"));

        Page page = signIn(owner);
        go(page, "/o/" + org);
        assertThat(page.getByTestId("role")).hasText("Owner");
        assertThat(page.getByRole(AriaRole.TABLE, new Page.GetByRoleOptions().setName("Organization products"))).containsText("Globex Sensors");
        page.getByLabel("Username (an existing account)").fill(colleague.username());
        page.getByLabel("Role", new Page.GetByLabelOptions().setExact(true)).selectOption("Administrator");
        button(page, "Invite").click();
        assertThat(page.getByRole(AriaRole.TABLE, new Page.GetByRoleOptions().setName("Team members"))).containsText(colleague.username());
        assertThat(page.getByRole(AriaRole.TABLE, new Page.GetByRoleOptions().setName("Audit log"))).containsText("team.invite");
        assertThat(page.getByRole(AriaRole.TABLE, new Page.GetByRoleOptions().setName("Audit log"))).containsText("org.create");

        go(page, "/p/" + p + "/audit");
        assertThat(page.getByRole(AriaRole.TABLE, new Page.GetByRoleOptions().setName("Audit log"))).containsText("team.invite");
        assertThat(page.getByRole(AriaRole.TABLE, new Page.GetByRoleOptions().setName("Audit log"))).containsText(colleague.username());

        // The colleague, an org Administrator and a product Support, sees the org product with the org's role.
        Page theirs = signIn(colleague);
        var products = theirs.getByRole(AriaRole.TABLE, new Page.GetByRoleOptions().setName("Products"));
        assertThat(products.getByRole(AriaRole.ROW).filter(new com.microsoft.playwright.Locator.FilterOptions()
                .setHasText("Globex Sensors"))).containsText("Administrator");
        assertThat(products.getByRole(AriaRole.ROW).filter(new com.microsoft.playwright.Locator.FilterOptions()
                .setHasText("Solo Product"))).containsText("Support");
    }

    @Test
    void theConsoleOffersExactlyWhatTheServersRoleTableAllows() {
        Page page = tab();
        @SuppressWarnings("unchecked")
        Map<String, java.util.List<String>> table = (Map<String, java.util.List<String>>) page.evaluate(
                "import('/js/ui.js').then(m => m.ROLE_TABLE)");
        for (io.boson.team.Role role : io.boson.team.Role.values()) {
            if (role == io.boson.team.Role.API_USER) continue;
            for (io.boson.team.Action action : io.boson.team.Action.values()) {
                assertThat(table.get(role.displayName()).contains(action.name()))
                        .as("%s may %s", role.displayName(), action).isEqualTo(io.boson.team.Roles.allows(role, action));
            }
        }
    }

    private static Api customer(JsonNode client, String email, String password) {
        Api.Response r = cloud.anonymous().postForm("/oauth/token", Map.of("grant_type", "password", "username", email,
                "password", password, "client_id", client.get("id").asText(), "client_secret", client.get("secret").asText()));
        if (r.status() != 200) throw new AssertionError("customer login failed: " + r);
        return cloud.anonymous().as(r.json().get("access_token").asText());
    }

}
