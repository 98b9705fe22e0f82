package io.boson.console;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import io.boson.device.BosonDevice;
import io.boson.device.VariableType;
import io.boson.testing.Api;
import io.boson.testing.TestCloud;
import io.boson.testing.TestDevice;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Signing in and out, the device lists with live online state, and one device's page. */
class ConsoleDevicesTest extends BrowserTest {

    @Test
    void signInShowsProductsOrgsAndDevicesWithRolesKeepsTheTokenInTheTabAndSignOutRevokesIt() {
        Account owner = newAccount();
        cloud.newProduct(owner.api(), "Coffee Makers");
        owner.api().postJson("/v1/orgs", Map.of("name", "Acme Brewing"));
        TestDevice mine = cloud.claimedDevice(owner.api());

        Page page = tab();
        page.getByLabel("Username or email").fill(owner.username());
        page.getByLabel("Password", new Page.GetByLabelOptions().setExact(true)).fill("not-the-password");
        button(page, "Sign in").click();
        assertThat(page.getByRole(AriaRole.ALERT)).containsText("User credentials are invalid");

        signIn(page, owner.username(), owner.password());
        var products = page.getByRole(AriaRole.TABLE, new Page.GetByRoleOptions().setName("Products"));
        assertThat(products.getByRole(AriaRole.ROW).filter(new com.microsoft.playwright.Locator.FilterOptions()
                .setHasText("Coffee Makers"))).containsText("Owner");
        assertThat(page.getByRole(AriaRole.TABLE, new Page.GetByRoleOptions().setName("Organizations"))).containsText("Acme Brewing");
        assertThat(row(page, mine.id).locator("[data-online]")).hasAttribute("data-online", "true");

        // The token lives in this tab only, and signing out revokes it on the server.
        String token = (String) page.evaluate("JSON.parse(sessionStorage.getItem('boson.session')).token");
        assertThat((Object) page.evaluate("localStorage.length")).isEqualTo(0);
        assertThat(cloud.anonymous().as(token).get("/v1/user").status()).isEqualTo(200);
        button(page, "Sign out").click();
        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Sign in to Boson"))).isVisible();
        assertThat(cloud.anonymous().as(token).get("/v1/user").status()).isEqualTo(401);
        assertThat((Object) page.evaluate("sessionStorage.getItem('boson.session')")).isNull();
        mine.close();
    }

    @Test
    void aProductDeviceGoesOnlineAndOfflineLiveInTheListAndTheListSearchesFiltersSortsAndPages() {
        Account owner = newAccount();
        long p = cloud.newProduct(owner.api(), "Live Fleet");
        TestCloud.Credentials watched = cloud.productDevice(owner.api(), p);
        List<TestCloud.Credentials> others = cloud.registerDevices(30);
        owner.api().postJson("/v1/products/" + p + "/devices", Map.of("ids", others.stream().map(TestCloud.Credentials::id).toList()));
        owner.api().putJson("/v1/products/" + p + "/devices/" + others.get(0).id(), Map.of("name", "kitchen-1", "groups", List.of("kitchen")));
        owner.api().putJson("/v1/products/" + p + "/devices/" + others.get(1).id(), Map.of("name", "kitchen-2", "groups", List.of("kitchen")));
        owner.api().putJson("/v1/products/" + p + "/devices/" + watched.id(), Map.of("name", "bar-1", "notes", "by the window"));

        Page page = signIn(owner);
        go(page, "/p/" + p + "/devices");
        assertThat(page.getByTestId("total")).containsText("31 devices · page 1 of 2");
        // Online state changes live, without reloading the page.
        BosonDevice device = BosonDevice.builder().deviceId(watched.id()).secret(watched.secret()).host("127.0.0.1")
                .port(cloud.mqttPort()).productId((int) p).productVersion(1).build();
        go(page, "/p/" + p + "/devices?q=" + watched.id());
        assertThat(row(page, watched.id()).locator("[data-online]")).hasAttribute("data-online", "false");
        device.connect().join();
        assertThat(row(page, watched.id()).locator("[data-online]")).hasAttribute("data-online", "true");
        device.disconnect().join();
        assertThat(row(page, watched.id()).locator("[data-online]")).hasAttribute("data-online", "false");

        // Search by name prefix, filter by group, sort, page.
        go(page, "/p/" + p + "/devices");
        page.getByLabel("Search", new Page.GetByLabelOptions().setExact(true)).selectOption("deviceName");
        page.getByLabel("Prefix").fill("kitchen");
        button(page, "Apply").click();
        assertThat(page.getByTestId("total")).containsText("2 devices");
        go(page, "/p/" + p + "/devices");
        page.getByLabel("Group", new Page.GetByLabelOptions().setExact(true)).selectOption("kitchen");
        button(page, "Apply").click();
        assertThat(page.getByTestId("total")).containsText("2 devices");
        assertThat(page.locator("tr[data-device]")).hasCount(2);
        device.connect().join();
        go(page, "/p/" + p + "/devices");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Name")).click();
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Name ▲")).click();
        assertThat(page.locator("tr[data-device]").first()).containsText("kitchen-2");
        assertThat(row(page, watched.id()).locator("[data-online]")).hasAttribute("data-online", "true");
        screenshot(page, "device-list");
        device.disconnect().join();
        button(page, "Next →").click();
        assertThat(page.getByTestId("total")).containsText("page 2 of 2");
        assertThat(page.locator("tr[data-device]")).hasCount(6);
    }

    @Test
    void oneDeviceCallsAFunctionReadsAVariableIsEditedAndShowsItsEventsLiveWithPauseAndFilter() {
        Account owner = newAccount();
        long p = cloud.newProduct(owner.api(), "Espresso");
        TestCloud.Credentials c = cloud.productDevice(owner.api(), p);
        List<String> brewed = new CopyOnWriteArrayList<>();
        BosonDevice device = BosonDevice.builder().deviceId(c.id()).secret(c.secret()).host("127.0.0.1").port(cloud.mqttPort())
                .productId((int) p).productVersion(1)
                .function("brew", arg -> { brewed.add(arg); return arg.length(); })
                .variable("temperature", VariableType.DOUBLE, () -> 92.5)
                .variable("label", VariableType.STRING, () -> "bar counter")
                .build();
        device.connect().join();
        try {
            Page page = signIn(owner);
            go(page, "/p/" + p + "/devices/" + c.id());
            assertThat(page.getByTestId("online")).containsText("online");
            page.getByLabel("Argument for brew").fill("double shot");
            button(page, "Call brew").click();
            assertThat(page.getByTestId("result-brew")).hasText("returned 11");
            assertThat(brewed).containsExactly("double shot");
            button(page, "Read temperature").click();
            assertThat(page.getByTestId("var-temperature")).hasText("92.5");
            button(page, "Read label").click();
            assertThat(page.getByTestId("var-label")).hasText("\"bar counter\"");

            // The live log, paused and filtered.
            var log = page.getByTestId("event-log");
            assertThat(page.getByRole(AriaRole.REGION, new Page.GetByRoleOptions().setName("Events"))).containsText("live");
            device.publish("pressure", "9.1").join();
            assertThat(log).containsText("pressure");
            button(page, "Pause").click();
            device.publish("grind", "fine").join();
            page.waitForTimeout(300); // the event arrives while paused: it must not show yet
            assertThat(log).not().containsText("grind");
            button(page, "Resume").click();
            assertThat(log).containsText("grind");
            page.getByLabel("Filter by name").fill("gr");
            assertThat(log.locator("div[data-name='pressure']")).isHidden();
            assertThat(log.locator("div[data-name='grind']")).isVisible();

            // Editing: name, notes, groups, development flag.
            page.getByLabel("Name", new Page.GetByLabelOptions().setExact(true)).fill("bar-espresso");
            button(page, "Rename").click();
            await().until(() -> "bar-espresso".equals(device(owner.api(), p, c.id()).get("name").asText()));
            page.getByLabel("Notes").fill("descaled on Monday");
            button(page, "Save notes").click();
            assertThat(page.getByText("Notes saved.")).isVisible();
            page.getByLabel("Groups (comma separated)").fill("bar, lobby");
            button(page, "Save groups").click();
            assertThat(page.getByText("Groups saved.")).isVisible();
            page.getByLabel("Development device (gets no automatic firmware)").check();
            assertThat(page.getByText("Marked as a development device.")).isVisible();
            var d = device(owner.api(), p, c.id());
            assertThat(d.get("notes").asText()).isEqualTo("descaled on Monday");
            assertThat(d.get("groups").toString()).contains("bar", "lobby");
            assertThat(d.get("development").asBoolean()).isTrue();

            screenshot(page, "device");

            // Ping, and an error from the API shown in words.
            button(page, "Ping").click();
            assertThat(page.getByText("The device answered: online.")).isVisible();
            device.disconnect().join();
            button(page, "Call brew").click();
            assertThat(page.getByRole(AriaRole.ALERT)).containsText("Device not connected");
        } finally {
            if (device.isConnected()) device.disconnect().join();
        }
    }

    @Test
    void developerDevicesAreListedWithTheirStateAndTheirEventsPageShowsAndPublishes() {
        Account dev = newAccount();
        TestDevice d = cloud.claimedDevice(dev.api());
        try {
            Page page = signIn(dev);
            go(page, "/devices");
            assertThat(row(page, d.id).locator("[data-online]")).hasAttribute("data-online", "true");
            go(page, "/events");
            assertThat(page.getByRole(AriaRole.REGION, new Page.GetByRoleOptions().setName("Live events"))).containsText("live");
            d.publish("door/open", "front");
            assertThat(page.getByTestId("event-log")).containsText("door/open");
            page.getByLabel("Name", new Page.GetByLabelOptions().setExact(true)).fill("lights");
            page.getByLabel("Data").fill("on");
            button(page, "Publish").click();
            assertThat(page.getByText("Published lights.")).isVisible();
            assertThat(d.next("c/e/lights", java.time.Duration.ofSeconds(5))).isNotNull();
            // The name-prefix filter picks the stream on the server.
            page.getByLabel("Name starts with").fill("temp");
            button(page, "Show").click();
            assertThat(page.getByRole(AriaRole.REGION, new Page.GetByRoleOptions().setName("Live events"))).containsText("live");
            d.publish("door/close", "front");
            d.publish("temperature", "20");
            assertThat(page.getByTestId("event-log")).containsText("temperature");
            assertThat(page.getByTestId("event-log")).not().containsText("door/close");
        } finally {
            d.close();
        }
    }

    @Test
    void atPhoneWidthThePagesFitAndWorkByKeyboardAlone() {
        Account owner = newAccount();
        long p = cloud.newProduct(owner.api(), "Pocket");
        // The widest ID there is in the console's bold heading font: 'b' and 'd' are its widest hex glyphs.
        String id = widestId();
        assertThat(cloud.admin().postJson("/v1/admin/devices", Map.of("platform_id", 13, "ids", List.of(id))).status())
                .isEqualTo(201);
        assertThat(owner.api().postJson("/v1/products/" + p + "/devices", Map.of("id", id)).json().get("updated").asInt()).isEqualTo(1);
        TestCloud.Credentials c = new TestCloud.Credentials(id, "");
        Page page = tab(375, 740);
        page.getByLabel("Username or email").focus();
        page.keyboard().type(owner.username());
        page.keyboard().press("Tab");
        page.keyboard().type(owner.password());
        page.keyboard().press("Enter");
        assertThat(page.getByTestId("username")).containsText(owner.username());
        for (String path : List.of("/", "/p/" + p + "/devices", "/p/" + p + "/devices/" + c.id(), "/p/" + p + "/firmware",
                "/p/" + p + "/team", "/p/" + p + "/import", "/p/" + p + "/groups", "/p/" + p + "/events")) {
            go(page, path);
            assertThat(page.locator("main h1")).isVisible();
            assertThat(page.getByRole(AriaRole.ALERT)).hasCount(0);
            Object overflow = page.evaluate("document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth");
            assertThat(((Number) overflow).intValue()).as("horizontal overflow on %s: %s", path, page.evaluate(WIDER_THAN_PAGE))
                    .isLessThanOrEqualTo(0);
        }
        // The device link in the list is reached and followed with the keyboard.
        go(page, "/p/" + p + "/devices");
        page.locator("a[href$='" + c.id() + "']").focus();
        page.keyboard().press("Enter");
        assertThat(page.locator("main h1")).hasText(c.id());
        screenshot(page, "phone-device");
    }

    private static String widestId() {
        var random = new java.util.Random();
        StringBuilder id = new StringBuilder();
        while (id.length() < 24) id.append("bd".charAt(random.nextInt(2)));
        return id.toString();
    }

    /** The elements that reach past the page's right edge or whose content spills out, innermost first, for the failure message. */
    private static final String WIDER_THAN_PAGE = """
            () => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > document.scrollingElement.clientWidth + 0.5
                     || (e.scrollWidth > e.clientWidth && getComputedStyle(e).overflowX === 'visible'))
                .reverse().slice(0, 5)
                .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '') + ' right=' + e.getBoundingClientRect().right
                     + ' text=' + (e.textContent || '').slice(0, 40))
                .join(' | ')
            """;

    private static com.fasterxml.jackson.databind.JsonNode device(Api api, long p, String id) {
        return api.get("/v1/products/" + p + "/devices/" + id).json();
    }
}
