package io.boson.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The products benchmark's results as markdown: printed per database as they come, written whole at the end. */
final class ProductsReport {

    record Environment(String date, String cpu, int cores, String memory, String kernel, String java) {
    }

    static Environment environment(Path java) {
        String cpu = "unknown", mem = "unknown", kernel = "unknown";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(cpu);
            mem = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                    .findFirst().map(l -> String.format(Locale.ROOT, "%.1f GiB",
                            Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0)).orElse(mem);
            kernel = "Linux " + Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        } catch (IOException | RuntimeException ignored) {
            // keep "unknown"
        }
        String jvm = System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version") + " (" + java + ")";
        return new Environment(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME), cpu,
                Runtime.getRuntime().availableProcessors(), mem, kernel, jvm);
    }

    private final ProductsOptions options;
    private final Environment env;
    private final List<ProductsBenchmark.DbRun> runs = new ArrayList<>();
    private double wallSeconds = Double.NaN;

    ProductsReport(ProductsOptions options, Environment env) {
        this.options = options;
        this.env = env;
    }

    void add(ProductsBenchmark.DbRun run) {
        runs.add(run);
    }

    void wallSeconds(double s) {
        wallSeconds = s;
    }

    String header() {
        return String.format(Locale.ROOT, """
                # Boson products benchmark

                - date: %s
                - machine: %s, %d cores, %s RAM, %s
                - JVM (server and driver): %s
                - import: %,d and %,d IDs in one request each, then the %,d again; list queries on the product of %,d devices
                - list queries: %d measured repetitions after %d warm-up, one client, one request at a time; \
                %,d devices in group g1, %,d named dev-NNNNN, %,d connected once (have a last_heard); %s
                """, env.date(), env.cpu(), env.cores(), env.memory(), env.kernel(), env.java(), options.small(),
                options.large(), options.large(), options.large(), options.reps(), options.warmup(), options.grouped(),
                options.named(), options.online(), options.touch()
                        ? "an unmeasured write to the devices table before each repetition (no H2 result reuse)"
                        : "no write between repetitions (--no-touch: H2 may reuse the previous result)");
    }

    String section(ProductsBenchmark.DbRun run) {
        StringBuilder b = new StringBuilder();
        b.append("## ").append(run.db()).append("\n\n").append("Storage: ").append(run.storage()).append(". ")
                .append("Server log warnings/errors: ").append(run.warnings()).append(".\n\n");
        b.append("### Import (POST /v1/products/:id/devices, JSON {\"ids\": […]})\n\n");
        b.append("| | IDs | seconds | IDs/s | server CPU s | result |\n|---|---|---|---|---|---|\n");
        for (ProductsBenchmark.Timed t : run.imports()) {
            b.append(String.format(Locale.ROOT, "| %s | %,d | %.2f | %,.0f | %.2f | %s |%n", t.what(), t.ids(), t.seconds(),
                    t.perSecond(), t.serverCpuSeconds(), t.outcome()));
        }
        b.append("\nSetup (not part of the measurements above; for information):\n\n");
        b.append("| step | seconds | per second | server CPU s |\n|---|---|---|---|\n");
        for (ProductsBenchmark.Timed t : run.setup()) {
            b.append(String.format(Locale.ROOT, "| %s | %.2f | %s | %.2f |%n", t.what(), t.seconds(),
                    t.ids() > 0 ? String.format(Locale.ROOT, "%,.0f", t.perSecond()) : "", t.serverCpuSeconds()));
        }
        b.append(String.format(Locale.ROOT, "%n### List queries on the product of %,d devices (GET /v1/products/:id/devices)%n%n",
                options.large()));
        b.append("""
                | query | matches | rows | HTTP p50 / p99 ms | JDBC p50 / p99 ms | HTTP − JDBC p50 ms | JDBC count / page / groups p50 ms | answer KiB | JDBC check |
                |---|---|---|---|---|---|---|---|---|
                """);
        for (ProductsBenchmark.QueryRun q : run.queries()) {
            ProductsBenchmark.Jdbc j = q.jdbc();
            b.append(String.format(Locale.ROOT, "| %s | %,d | %d | %.2f / %.2f | %s | %s | %s | %.1f | %s |%n",
                    q.query().label(), q.total(), q.rows(), q.http().percentileMs(50), q.http().percentileMs(99),
                    j == null ? "" : String.format(Locale.ROOT, "%.2f / %.2f", j.sum().percentileMs(50), j.sum().percentileMs(99)),
                    j == null ? "" : String.format(Locale.ROOT, "%.2f", q.http().percentileMs(50) - j.sum().percentileMs(50)),
                    j == null ? "" : String.format(Locale.ROOT, "%.2f / %.2f / %.2f", j.count().percentileMs(50),
                            j.page().percentileMs(50), j.groups().percentileMs(50)),
                    q.bytes() / 1024.0, j == null ? "" : j.check()));
        }
        run.queries().stream().filter(q -> q.query().key().equals("lastConnection")).findFirst().ifPresent(q ->
                b.append("\nFirst device of sortAttr=lastConnection&sortDir=desc: last_heard = ").append(q.firstLastHeard())
                        .append(" (").append(options.online()).append(" of ").append(String.format(Locale.ROOT, "%,d", q.total()))
                        .append(" devices have one).\n"));
        if (run.queries().stream().anyMatch(q -> q.jdbc() != null && q.jdbc().planCache() != null)) {
            b.append("\nPlans the JDBC baseline's server-side prepared statements got (pg_prepared_statements, "
                    + "warm-up and measured runs; pgjdbc prepares on the server from the 5th run on a connection; counted per "
                    + "statement text, so the count shared by the first page, the deep page and the sort is counted "
                    + "cumulatively):\n\n");
            for (ProductsBenchmark.QueryRun q : run.queries()) {
                if (q.jdbc() != null && q.jdbc().planCache() != null) {
                    b.append("- ").append(q.query().label()).append(": ").append(q.jdbc().planCache()).append('\n');
                }
            }
        }
        for (String note : run.notes()) b.append("\n").append(note).append("\n");
        b.append("\n<details><summary>Query plans (EXPLAIN ANALYZE of the count and the page, parameters bound, "
                + "run after the measurements)</summary>\n\n");
        for (ProductsBenchmark.QueryRun q : run.queries()) {
            if (q.plan() == null) continue;
            b.append("**").append(q.query().label()).append("**\n\n```\n").append(q.plan()).append("\n```\n\n");
        }
        b.append("</details>\n");
        return b.toString();
    }

    String summary() {
        if (runs.isEmpty()) return "no results\n";
        StringBuilder b = new StringBuilder("## Summary\n\n");
        b.append("| import |");
        for (ProductsBenchmark.DbRun r : runs) b.append(' ').append(r.db()).append(" s | ").append(r.db()).append(" IDs/s |");
        b.append("\n|---|").append("---|---|".repeat(runs.size())).append('\n');
        for (int i = 0; i < runs.get(0).imports().size(); i++) {
            b.append("| ").append(runs.get(0).imports().get(i).what()).append(" |");
            for (ProductsBenchmark.DbRun r : runs) {
                ProductsBenchmark.Timed t = r.imports().get(i);
                b.append(String.format(Locale.ROOT, " %.2f | %,.0f |", t.seconds(), t.perSecond()));
            }
            b.append('\n');
        }
        b.append("| (setup, for information) register devices |");
        for (ProductsBenchmark.DbRun r : runs) {
            ProductsBenchmark.Timed t = r.setup().get(0);
            b.append(String.format(Locale.ROOT, " %.2f | %,.0f |", t.seconds(), t.perSecond()));
        }
        b.append('\n');
        b.append("\n| list query (p50 / p99 ms) |");
        for (ProductsBenchmark.DbRun r : runs) b.append(' ').append(r.db()).append(" HTTP | ").append(r.db()).append(" JDBC |");
        b.append("\n|---|").append("---|---|".repeat(runs.size())).append('\n');
        for (int i = 0; i < runs.get(0).queries().size(); i++) {
            // The ID prefix is drawn per database; the summary names the query, not the value.
            b.append("| ").append(runs.get(0).queries().get(i).query().label()
                    .replaceAll("deviceId=[0-9a-f]+", "deviceId=<6 hex digits>")).append(" |");
            for (ProductsBenchmark.DbRun r : runs) {
                ProductsBenchmark.QueryRun q = r.queries().get(i);
                b.append(String.format(Locale.ROOT, " %.2f / %.2f | %s |", q.http().percentileMs(50), q.http().percentileMs(99),
                        q.jdbc() == null ? "" : String.format(Locale.ROOT, "%.2f / %.2f", q.jdbc().sum().percentileMs(50),
                                q.jdbc().sum().percentileMs(99))));
            }
            b.append('\n');
        }
        if (!Double.isNaN(wallSeconds)) b.append(String.format(Locale.ROOT, "%nWall time of the run: %.0f s.%n", wallSeconds));
        return b.toString();
    }

    String markdown() {
        StringBuilder b = new StringBuilder(header()).append('\n').append(summary()).append('\n');
        for (ProductsBenchmark.DbRun r : runs) b.append(section(r)).append('\n');
        return b.toString();
    }
}
