package io.boson.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Command-line options of {@link FirstBenchmark}; {@code --help} lists them. */
record Options(
        List<Integer> devices,
        Duration duration,
        Duration warmup,
        Duration drain,
        int concurrency,
        double rate,
        int connectRate,
        String mosquittoBinary,
        String mosquittoHost,
        int mosquittoPort,
        long mosquittoPid,
        boolean skipMosquitto,
        Path serverJar,
        List<String> serverJvmOptions,
        Path out,
        Path profile,
        int streams) {

    static final String USAGE = """
            FirstBenchmark: Boson vs Mosquitto on event fan-in, function-call round trips and memory per device.

              --devices N[,N...]     simulated devices per run, one run per value (default 1000)
              --duration S           measured seconds of each phase (default 15)
              --warmup S             unmeasured seconds before each phase, for both servers (default 20: the JVM's JIT compilers still took a third of the server's CPU 3 s in)
              --drain S              seconds to wait for in-flight events after a fan-in phase (default 3)
              --concurrency C        concurrent callers in the round-trip phase (default 16)
              --rate R               events per second per device (default 1; Boson allows 1/s, bursts of 4)
              --connect-rate R       device connections per second (default 200)
              --mosquitto-binary B   the baseline broker's executable; a private instance is started per run
                                     on a free port with set_tcp_nodelay true (default mosquitto)
              --mosquitto HOST:PORT  use this running broker instead (its own config, e.g. 127.0.0.1:1883)
              --mosquitto-pid PID    the pid of that broker, for its RSS and CPU (default: not measured)
              --skip-mosquitto       Boson only
              --server-jar PATH      Boson's jar (default server/target/boson.jar)
              --server-jvm-opts OPTS JVM options for the Boson server process, space-separated (default none)
              --out FILE             markdown results (default bench/target/first-benchmark.md)
              --profile DIR          record a JFR profile of the Boson server during each phase into DIR
              --streams K            subscribers of the fan-in: K SSE streams / K MQTT subscribers, each gets every event (default 1)
            """;

    static Options parse(String[] args) {
        List<Integer> devices = List.of(1000);
        int duration = 15, warmup = 20, drain = 3, concurrency = 16, connectRate = 200;
        double rate = 1.0;
        String mosquittoBinary = "mosquitto";
        String mosquitto = null;
        long mosquittoPid = -1;
        boolean skipMosquitto = false;
        Path serverJar = Path.of("server/target/boson.jar");
        List<String> jvm = List.of();
        Path out = Path.of("bench/target/first-benchmark.md");
        Path profile = null;
        int streams = 1;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--devices" -> devices = Arrays.stream(value(args, ++i, a).split(","))
                        .map(String::trim).map(Integer::parseInt).toList();
                case "--duration" -> duration = Integer.parseInt(value(args, ++i, a));
                case "--warmup" -> warmup = Integer.parseInt(value(args, ++i, a));
                case "--drain" -> drain = Integer.parseInt(value(args, ++i, a));
                case "--concurrency" -> concurrency = Integer.parseInt(value(args, ++i, a));
                case "--rate" -> rate = Double.parseDouble(value(args, ++i, a));
                case "--connect-rate" -> connectRate = Integer.parseInt(value(args, ++i, a));
                case "--mosquitto-binary" -> mosquittoBinary = value(args, ++i, a);
                case "--mosquitto" -> mosquitto = value(args, ++i, a);
                case "--mosquitto-pid" -> mosquittoPid = Long.parseLong(value(args, ++i, a));
                case "--skip-mosquitto" -> skipMosquitto = true;
                case "--server-jar" -> serverJar = Path.of(value(args, ++i, a));
                case "--server-jvm-opts" -> {
                    String v = value(args, ++i, a).trim();
                    jvm = v.isEmpty() ? List.of() : new ArrayList<>(Arrays.asList(v.split("\\s+")));
                }
                case "--out" -> out = Path.of(value(args, ++i, a));
                case "--profile" -> profile = Path.of(value(args, ++i, a));
                case "--streams" -> streams = Integer.parseInt(value(args, ++i, a));
                case "-h", "--help" -> {
                    System.out.print(USAGE);
                    System.exit(0);
                }
                default -> throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
            }
        }
        if (devices.isEmpty() || devices.stream().anyMatch(n -> n < 1 || n > 9_000)) {
            // Each device is one socket here and one in the server; one process holds ~20,000.
            throw new IllegalArgumentException("--devices must be 1..9000");
        }
        if (streams < 1 || streams > 1000) throw new IllegalArgumentException("--streams must be 1..1000");
        if (duration < 1 || concurrency < 1 || rate <= 0 || connectRate < 1 || warmup < 0 || drain < 0) {
            throw new IllegalArgumentException("durations, rates and concurrency must be positive");
        }
        String host = null;
        int port = -1;
        if (mosquitto != null) {
            int colon = mosquitto.lastIndexOf(':');
            if (colon < 1) throw new IllegalArgumentException("--mosquitto wants HOST:PORT");
            host = mosquitto.substring(0, colon);
            port = Integer.parseInt(mosquitto.substring(colon + 1));
        }
        return new Options(devices, Duration.ofSeconds(duration), Duration.ofSeconds(warmup), Duration.ofSeconds(drain),
                concurrency, rate, connectRate, mosquittoBinary, host, port, mosquittoPid, skipMosquitto, serverJar, jvm,
                out, profile, streams);
    }

    /** True when the baseline is a broker the benchmark starts itself. */
    boolean privateMosquitto() {
        return mosquittoHost == null;
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) throw new IllegalArgumentException(option + " needs a value");
        return args[i];
    }
}
