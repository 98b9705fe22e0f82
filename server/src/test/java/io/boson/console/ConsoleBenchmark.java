package io.boson.console;

import com.microsoft.playwright.Page;
import io.boson.testing.Api;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

/**
 * How fast the console is on the embedded default: first meaningful paint (the sign-in form, and a
 * signed-in device list) and the device list's page time for a large product against a small one
 * measured in the same run. A measurement, not a test: it runs only when asked for,
 * {@code -Dboson.console.bench=100000}, and prints its numbers (docs/benchmarks.md).
 */
@Tag("console-bench")
class ConsoleBenchmark extends BrowserTest {

    private static final int BASELINE = 1_000;
    private static final int ROUNDS = 7;

    @Test
    void deviceListPageTimes() {
        int large = Integer.getInteger("boson.console.bench", 0);
        Assumptions.assumeTrue(large > 0, "a measurement: run with -Dboson.console.bench=<devices>");
        Account owner = newAccount();
        long small = product(owner, "Baseline", BASELINE);
        long t0 = System.nanoTime();
        long big = product(owner, "Large", large);
        System.out.printf("BENCH setup: registered and imported %,d devices in %.1f s%n", large, (System.nanoTime() - t0) / 1e9);

        Page page = tab();
        double signInPaint = median(() -> firstPaint(page, "/", "form[aria-label='Sign in']"));
        double contentfulPaint = ((Number) page.evaluate(
                "performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1")).doubleValue();
        signIn(page, owner.username(), owner.password());
        System.out.printf("BENCH first meaningful paint, sign-in page: %.0f ms (the browser's first contentful paint: %.0f ms)%n",
                signInPaint, contentfulPaint);
        for (long p : new long[]{small, big}) {
            int n = p == small ? BASELINE : large;
            double paint = median(() -> firstPaint(page, "/p/" + p + "/devices", "tr[data-device]"));
            assertThat(page.getByTestId("total")).containsText(String.format("%d devices", n));
            double first = median(() -> pageTime(page, "/p/" + p + "/devices?page=1"));
            double middle = median(() -> pageTime(page, "/p/" + p + "/devices?page=" + (n / 50)));
            double last = median(() -> pageTime(page, "/p/" + p + "/devices?page=" + (n / 25)));
            double sorted = median(() -> pageTime(page, "/p/" + p + "/devices?sort=lastConnection&dir=desc&page=2"));
            double search = median(() -> pageTime(page, "/p/" + p + "/devices?by=deviceId&q=0a"));
            double group = median(() -> pageTime(page, "/p/" + p + "/devices?group=g7"));
            System.out.printf("BENCH %,d devices: reload to first rows %.0f ms; page time (hash change to rows): first %.0f, "
                            + "middle %.0f, last %.0f, sorted by last heard %.0f, ID prefix %.0f, group %.0f ms%n",
                    n, paint, first, middle, last, sorted, search, group);
        }
    }

    private static long product(Account owner, String name, int devices) {
        long p = cloud.newProduct(owner.api(), name + " " + devices);
        for (int done = 0; done < devices; done += 10_000) {
            int count = Math.min(10_000, devices - done);
            Api.Response r = cloud.admin().postJson("/v1/admin/devices", Map.of("platform_id", 13, "count", count));
            List<String> ids = new ArrayList<>();
            r.json().get("devices").forEach(d -> ids.add(d.get("id").asText()));
            Api.Response imported = owner.api().postJson("/v1/products/" + p + "/devices", Map.of("ids", ids));
            if (imported.status() != 200) throw new AssertionError("import failed: " + imported);
            // Every tenth device in one of ten groups, so the group filter has something to find.
            List<String> grouped = new ArrayList<>();
            for (int i = 0; i < ids.size(); i += 10) grouped.add(ids.get(i));
            owner.api().putJson("/v1/products/" + p + "/devices", Map.of("action", "groups", "devices", grouped,
                    "metadata", Map.of("add", List.of("g" + (done / 10_000 % 10)))));
        }
        return p;
    }

    /** A full load of the page (modules, API calls, render) until {@code selector} shows, by the page's clock. */
    private static double firstPaint(Page page, String hash, String selector) {
        page.navigate(cloud.baseUrl() + "/#" + hash);
        page.reload();
        page.waitForSelector(selector);
        return ((Number) page.evaluate("performance.now()")).doubleValue();
    }

    /** From a hash change (a click on a page link) to the new rows on screen, by the page's clock. */
    private static double pageTime(Page page, String hash) {
        // A fresh hash each time (the page ignores the extra parameter): the same hash fires no change.
        hash = hash + (hash.contains("?") ? "&" : "?") + "r=" + System.nanoTime();
        Object ms = page.evaluate("async (hash) => {"
                + " const t0 = performance.now();"
                + " const before = document.querySelector('#main > div');"
                + " location.hash = hash;"
                + " for (;;) {"
                + "   const root = document.querySelector('#main > div');"
                + "   if (root !== before && root.dataset.loadedMs !== undefined) return performance.now() - t0;"
                + "   await new Promise(r => requestAnimationFrame(r));"
                + " } }", "#" + hash);
        return ((Number) ms).doubleValue();
    }

    private static double median(java.util.function.DoubleSupplier run) {
        double[] times = new double[ROUNDS];
        run.getAsDouble(); // warm-up: the first visit compiles the modules and warms the server's caches
        for (int i = 0; i < ROUNDS; i++) times[i] = run.getAsDouble();
        Arrays.sort(times);
        return times[ROUNDS / 2];
    }

}
