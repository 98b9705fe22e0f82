package io.boson.console;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.AriaRole;
import io.boson.testing.Api;
import io.boson.testing.CloudTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

/**
 * The console driven the way people use it: Debian's headless Chromium (through Playwright, with no
 * browser download) against a real server with real devices. Skipped where Chromium is not
 * installed; CI installs it (.ci/run).
 */
@Tag("console")
abstract class BrowserTest extends CloudTest {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    /** Where the screenshots shown in the README go (tests run in the server module). */
    static final Path SCREENSHOTS = Path.of(System.getProperty("user.dir")).resolve("../docs/console").normalize();

    static Playwright playwright;
    static Browser browser;
    private final List<BrowserContext> contexts = new ArrayList<>();

    @BeforeAll
    static void startBrowser() {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM), "Chromium is not installed at " + CHROMIUM);
        // The machine is shared: give the page time under load (the assertions still poll, not sleep).
        com.microsoft.playwright.assertions.PlaywrightAssertions.setDefaultAssertionTimeout(15_000);
        playwright = Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        browser = playwright.chromium().launch(new BrowserType.LaunchOptions().setExecutablePath(CHROMIUM).setHeadless(true)
                .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update", "--no-first-run", "--disable-sync")));
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) browser.close();
        if (playwright != null) playwright.close();
    }

    /** A failed test leaves each open tab's screenshot and text in target/console-failures. */
    @org.junit.jupiter.api.extension.RegisterExtension
    final org.junit.jupiter.api.extension.AfterTestExecutionCallback keepFailures = ext -> {
        if (ext.getExecutionException().isEmpty()) return;
        Path dir = Path.of("target", "console-failures");
        Files.createDirectories(dir);
        int i = 0;
        for (BrowserContext c : contexts) {
            for (Page page : c.pages()) {
                String name = ext.getRequiredTestMethod().getName() + "-" + i++;
                page.screenshot(new Page.ScreenshotOptions().setPath(dir.resolve(name + ".png")).setFullPage(true));
                Files.writeString(dir.resolve(name + ".txt"), page.url() + "\n" + page.locator("body").innerText());
            }
        }
    };

    @AfterEach
    void closeTabs() {
        contexts.forEach(BrowserContext::close);
        contexts.clear();
    }

    /** An account with a known password (the console signs in with it), and its API client. */
    record Account(String username, String password, Api api) {
    }

    static Account newAccount() {
        String username = "user-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        Api.Response r = cloud.admin().postJson("/v1/users", Map.of("username", username, "password", "password-123"));
        if (r.status() != 200) throw new AssertionError("could not create user: " + r);
        return new Account(username, "password-123", cloud.login(username, "password-123"));
    }

    /** A fresh browser profile (its own sessionStorage), at the console's sign-in page. */
    Page tab() {
        return tab(1280, 860);
    }

    Page tab(int width, int height) {
        BrowserContext context = browser.newContext(new Browser.NewContextOptions().setViewportSize(width, height));
        context.setDefaultTimeout(15_000);
        contexts.add(context);
        Page page = context.newPage();
        page.navigate(cloud.baseUrl() + "/");
        return page;
    }

    Page signIn(Account account) {
        Page page = tab();
        signIn(page, account.username(), account.password());
        return page;
    }

    static void signIn(Page page, String username, String password) {
        page.getByLabel("Username or email").fill(username);
        page.getByLabel("Password", new Page.GetByLabelOptions().setExact(true)).fill(password);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
        assertThat(page.getByTestId("username")).containsText(username);
    }

    static void go(Page page, String hash) {
        page.navigate(cloud.baseUrl() + "/#" + hash);
    }

    static Locator button(Page page, String name) {
        return page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName(name).setExact(true));
    }

    static Locator row(Page page, String deviceId) {
        return page.locator("tr[data-device='" + deviceId + "']");
    }

    static void screenshot(Page page, String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        page.evaluate("document.getElementById('status').replaceChildren()"); // passing toasts are not the page
        page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve(name + ".png")).setFullPage(true));
    }
}
