package io.boson.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Command-line options of {@link ProductsBenchmark}; {@code --help} lists them. */
record ProductsOptions(
        List<String> databases,
        int small,
        int large,
        int reps,
        int warmup,
        int grouped,
        int named,
        int online,
        boolean touch,
        String pgUrl,
        String pgUser,
        String pgPassword,
        Path serverJar,
        List<String> serverJvmOptions,
        Path out,
        boolean keep) {

    static final String USAGE = """
            ProductsBenchmark: product device import and product device list queries, on H2 and PostgreSQL,
            each list query also run directly over JDBC against the same database as the baseline.

              --db LIST              h2, postgres or h2,postgres (default h2,postgres)
              --small N              devices of the first import, one request (default 10000)
              --large N              devices of the second import and re-import, one request; the list queries
                                     run on this product (default 100000, at most 100000)
              --reps R               measured repetitions of each list query (default 50)
              --warmup W             unmeasured repetitions before them (default 20)
              --grouped N            devices put into group g1 (default 1000)
              --named N              devices given a name dev-NNNNN (default 1000)
              --online N             devices that connect once over MQTT, so they have a last_heard (default 1000)
              --no-touch             do not write to the devices table before each repetition: H2 then serves a
                                     repeated identical query from its result cache (see docs/benchmarks.md)
              --pg-url URL           PostgreSQL database; a fresh schema is created in it and dropped after
                                     (default jdbc:postgresql://127.0.0.1:5432/test)
              --pg-user USER         (default postgres)
              --pg-password PW       (default none)
              --server-jar PATH      Boson's jar (default server/target/boson.jar)
              --server-jvm-opts OPTS JVM options for the Boson server process, space-separated (default none)
              --out FILE             markdown results (default bench/target/products-benchmark.md)
              --keep                 keep the H2 data directory / the PostgreSQL schema for inspection
            """;

    static ProductsOptions parse(String[] args) {
        List<String> databases = List.of("h2", "postgres");
        int small = 10_000, large = 100_000, reps = 50, warmup = 20, grouped = 1000, named = 1000, online = 1000;
        boolean touch = true;
        String pgUrl = "jdbc:postgresql://127.0.0.1:5432/test", pgUser = "postgres", pgPassword = null;
        Path serverJar = Path.of("server/target/boson.jar");
        List<String> jvm = List.of();
        Path out = Path.of("bench/target/products-benchmark.md");
        boolean keep = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--db" -> databases = Arrays.stream(value(args, ++i, a).split(",")).map(String::trim)
                        .map(s -> s.equals("pg") || s.equals("postgresql") ? "postgres" : s).toList();
                case "--small" -> small = Integer.parseInt(value(args, ++i, a));
                case "--large" -> large = Integer.parseInt(value(args, ++i, a));
                case "--reps" -> reps = Integer.parseInt(value(args, ++i, a));
                case "--warmup" -> warmup = Integer.parseInt(value(args, ++i, a));
                case "--grouped" -> grouped = Integer.parseInt(value(args, ++i, a));
                case "--named" -> named = Integer.parseInt(value(args, ++i, a));
                case "--online" -> online = Integer.parseInt(value(args, ++i, a));
                case "--no-touch" -> touch = false;
                case "--pg-url" -> pgUrl = value(args, ++i, a);
                case "--pg-user" -> pgUser = value(args, ++i, a);
                case "--pg-password" -> pgPassword = value(args, ++i, a);
                case "--server-jar" -> serverJar = Path.of(value(args, ++i, a));
                case "--server-jvm-opts" -> {
                    String v = value(args, ++i, a).trim();
                    jvm = v.isEmpty() ? List.of() : new ArrayList<>(Arrays.asList(v.split("\\s+")));
                }
                case "--out" -> out = Path.of(value(args, ++i, a));
                case "--keep" -> keep = true;
                case "-h", "--help" -> {
                    System.out.print(USAGE);
                    System.exit(0);
                }
                default -> throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
            }
        }
        if (databases.isEmpty() || databases.stream().anyMatch(d -> !d.equals("h2") && !d.equals("postgres"))) {
            throw new IllegalArgumentException("--db takes h2, postgres or both");
        }
        if (small < 1 || small > 100_000 || large < 100 || large > 100_000) {
            throw new IllegalArgumentException("--small must be 1..100000 and --large 100..100000 (one import request each)");
        }
        if (reps < 1 || warmup < 0 || grouped < 1 || grouped > Math.min(10_000, large) || named < 10 || named > large
                || online < 0 || online > Math.min(9_000, large)) {
            throw new IllegalArgumentException("--reps >= 1, --grouped 1..min(10000, large), --named 10..large, "
                    + "--online 0..min(9000, large)");
        }
        return new ProductsOptions(databases, small, large, reps, warmup, grouped, named, online, touch, pgUrl, pgUser, pgPassword,
                serverJar, jvm, out, keep);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) throw new IllegalArgumentException(option + " needs a value");
        return args[i];
    }
}
