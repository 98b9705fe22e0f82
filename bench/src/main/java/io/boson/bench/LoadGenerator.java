package io.boson.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A load-generator process for the scale benchmark: holds a slice of the simulated devices
 * ({@link LightFleet}) and obeys one-line commands on stdin, answering one line on stdout each. The
 * per-process limit of open files (20,000 here) is why devices live in several such processes.
 *
 * <pre>
 *   connect IN_FLIGHT       → connected ok=… refusals=… failed=… gaveup=… seconds=…
 *   drop                    → dropped
 *   publish RATE SECONDS T  → published sent=… acked=…
 *   start-publish RATE SECONDS T → started   (publishes in the background; stats shows the counts)
 *   stats                   → stats connected=… unexpected=… answered=… refusals=… failed=… gaveup=… sent=… acked=…
 *   quit
 * </pre>
 */
public final class LoadGenerator {

    private LoadGenerator() {
    }

    public static void main(String[] args) throws Exception {
        Path credentials = null;
        int from = 0;
        int to = Integer.MAX_VALUE;
        List<InetSocketAddress> targets = new ArrayList<>();
        int keepAlive = 600;
        long product = 0;
        int threads = 1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--credentials" -> credentials = Path.of(args[++i]);
                case "--from" -> from = Integer.parseInt(args[++i]);
                case "--to" -> to = Integer.parseInt(args[++i]);
                case "--target" -> {
                    String[] hp = args[++i].split(":");
                    targets.add(new InetSocketAddress(hp[0], Integer.parseInt(hp[1])));
                }
                case "--keep-alive" -> keepAlive = Integer.parseInt(args[++i]);
                case "--product" -> product = Long.parseLong(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        List<String> lines = Files.readAllLines(credentials);
        List<LightFleet.Credentials> slice = new ArrayList<>();
        for (int i = from; i < Math.min(to, lines.size()); i++) {
            String[] f = lines.get(i).split(" ");
            slice.add(new LightFleet.Credentials(f[0], f[1]));
        }
        try (LightFleet fleet = new LightFleet(slice, targets, threads, keepAlive, product);
             BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            System.out.println("ready " + fleet.size());
            System.out.flush();
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String[] c = line.trim().split(" ");
                String answer = switch (c[0]) {
                    case "connect" -> {
                        long t0 = System.nanoTime();
                        fleet.connectAll(Integer.parseInt(c[1]));
                        double seconds = (System.nanoTime() - t0) / 1e9;
                        yield String.format(Locale.ROOT, "connected ok=%d refusals=%d failed=%d gaveup=%d seconds=%.3f",
                                fleet.connected.get(), fleet.refusals.get(), fleet.failedAttempts.get(), fleet.gaveUp.get(), seconds);
                    }
                    case "drop" -> {
                        fleet.dropAll();
                        yield "dropped";
                    }
                    case "publish" -> {
                        fleet.publish(Double.parseDouble(c[1]), Integer.parseInt(c[2]), c[3]);
                        Thread.sleep(3000);
                        yield "published sent=" + fleet.eventsSent.get() + " acked=" + fleet.eventsAcked.get();
                    }
                    case "start-publish" -> {
                        double rate = Double.parseDouble(c[1]);
                        int seconds = Integer.parseInt(c[2]);
                        String tag = c[3];
                        Thread.ofPlatform().name("publisher").daemon().start(() -> {
                            try {
                                fleet.publish(rate, seconds, tag);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        });
                        yield "started";
                    }
                    case "stats" -> "stats connected=" + fleet.connected.get() + " unexpected=" + fleet.unexpectedCloses.get()
                            + " answered=" + fleet.callsAnswered.get() + " refusals=" + fleet.refusals.get()
                            + " failed=" + fleet.failedAttempts.get() + " gaveup=" + fleet.gaveUp.get()
                            + " sent=" + fleet.eventsSent.get() + " acked=" + fleet.eventsAcked.get()
                            + " skipped=" + fleet.publishSkipped.get();
                    case "quit" -> null;
                    default -> "error unknown command " + c[0];
                };
                if (answer == null) break;
                System.out.println(answer);
                System.out.flush();
            }
        }
        System.exit(0);
    }
}
