package io.boson.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.boson.device.BosonDevice;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * One firmware release delivered to a fleet at once (docs/benchmarks.md, "Firmware"): a 1 MiB
 * image released as an intelligent product default to N connected SDK devices, which pull it in
 * chunks, verify its SHA-256, apply it and reconnect. Reports the time to the first offer, the time
 * until every device runs the new version, the payload rate, the server's CPU and heap, and beside
 * them the raw loopback TCP copy rate of the same number of bytes measured in the same run.
 *
 * <pre>bench/run firmware [--devices 1000] [--size-kib 1024] [--server-jar server/target/boson.jar] [--profile DIR]</pre>
 *
 * With {@code --profile DIR}, a Flight Recorder profile of the server from the release call to the
 * last device running the new version is written to {@code DIR/boson-firmware-release.jfr}. With
 * {@code --chunk-kib C} the devices ask for chunks of C KiB ({@code ota_chunk}); by default they do not
 * ask, and get the protocol's 32 KiB.
 */
public final class FirmwareBenchmark {

    record Options(int devices, int sizeKiB, Path serverJar, Path profile, int chunkKiB) {
        static Options parse(String[] args) {
            int devices = 1000;
            int size = 1024;
            Path jar = Path.of("server/target/boson.jar");
            Path profile = null;
            int chunk = 0;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--devices" -> devices = Integer.parseInt(args[++i]);
                    case "--size-kib" -> size = Integer.parseInt(args[++i]);
                    case "--server-jar" -> jar = Path.of(args[++i]);
                    case "--profile" -> profile = Path.of(args[++i]);
                    case "--chunk-kib" -> chunk = Integer.parseInt(args[++i]);
                    default -> throw new IllegalArgumentException(
                            "usage: firmware [--devices N] [--size-kib K] [--server-jar P] [--profile DIR] [--chunk-kib C]");
                }
            }
            return new Options(devices, size, jar, profile, chunk);
        }
    }

    private FirmwareBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Launch.main(args, Options::parse, Options::serverJar, FirmwareBenchmark::run);
    }

    static void run(Options o) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Path data = Files.createTempDirectory("boson-fw-bench");
        int size = o.sizeKiB() * 1024;
        byte[] image = new byte[size];
        new Random(42).nextBytes(image);
        image[0] = 0;
        String password = "bench-" + UUID.randomUUID();
        try (BosonServer server = BosonServer.start(java, o.serverJar(), List.of("-Xmx1g"), password, data)) {
            BosonApi api = new BosonApi(BosonApi.newClient(), URI.create("http://127.0.0.1:" + server.httpPort()));
            api.login("admin", password);
            List<BosonApi.Credentials> creds = api.register(o.devices());
            JsonNode product = api.expect(api.jsonRequest("POST", "/v1/user/products", BosonApi.JSON.writeValueAsBytes(
                    Map.of("product", Map.of("name", "Firmware bench", "platform_id", 13))), Duration.ofSeconds(30)), 200);
            long p = product.get("product").get("id").asLong();
            api.expect(api.jsonRequest("POST", "/v1/products/" + p + "/devices", BosonApi.JSON.writeValueAsBytes(
                    Map.of("ids", creds.stream().map(BosonApi.Credentials::id).toList())), Duration.ofSeconds(60)), 200);
            api.expect(upload(api, p, 2, image), 201);

            List<BosonDevice> fleet = new ArrayList<>();
            for (BosonApi.Credentials c : creds) {
                var builder = BosonDevice.builder().deviceId(c.id()).secret(c.secret()).host("127.0.0.1").port(server.mqttPort())
                        .platformId(13).productId((int) p).productVersion(1);
                if (o.chunkKiB() > 0) builder.otaChunkBytes(o.chunkKiB() * 1024);
                fleet.add(builder.build());
            }
            List<Throwable> failures = Paced.run(fleet.size(), 300, 120, i -> fleet.get(i).connect());
            step("%d devices connected (%d failed)", fleet.size() - failures.size(), failures.size());
            // On a loaded machine some connects are refused (pacing, server busy): the release is what is
            // measured, so those devices try again, slower, until the whole fleet is online.
            for (int round = 1; round <= 5 && !failures.isEmpty(); round++) {
                if (!failures.isEmpty()) failures.stream().limit(1).forEach(e -> step("a connect failed: %s", e));
                List<BosonDevice> offline = fleet.stream().filter(d -> !d.isConnected()).toList();
                Thread.sleep(6_000);
                failures = Paced.run(offline.size(), 50, 120, i -> offline.get(i).connect());
                step("retry %d: %d of %d connected", round, offline.size() - failures.size(), offline.size());
            }
            if (!failures.isEmpty()) throw new IllegalStateException(failures.size() + " devices could not connect");

            double loopback = loopbackBytesPerSecond((long) size * fleet.size());
            step("raw loopback copy: %.0f MB/s", loopback / 1e6);

            if (o.profile() != null) {
                ProcessStats.run(jcmd.toString(), Long.toString(server.pid()), "JFR.start", "name=bench-release", "settings=profile");
            }
            String loadBefore = loadAverage();
            ProcessStats.CpuMeter cpu = new ProcessStats.CpuMeter(server.pid(), ProcessHandle.current().pid());
            long t0 = System.nanoTime();
            api.expect(api.jsonRequest("PUT", "/v1/products/" + p + "/firmware/release", BosonApi.JSON.writeValueAsBytes(
                    Map.of("version", 2, "product_default", true, "intelligent", true)), Duration.ofSeconds(60)), 200);
            long released = System.nanoTime();
            long firstOffer = -1;
            long deadline = t0 + Duration.ofMinutes(10).toNanos();
            int done = 0;
            while (System.nanoTime() < deadline) {
                if (firstOffer < 0) {
                    for (BosonDevice d : fleet) {
                        if (d.firmwareOffers() > 0) {
                            firstOffer = System.nanoTime();
                            break;
                        }
                    }
                }
                done = 0;
                for (BosonDevice d : fleet) if (d.productVersion() == 2 && d.isConnected()) done++;
                if (done == fleet.size()) break;
                Thread.sleep(firstOffer < 0 ? 1 : 20);
            }
            long all = System.nanoTime();
            double[] cores = cpu.coresSinceStart();
            String loadEnd = loadAverage();
            if (o.profile() != null) {
                Files.createDirectories(o.profile());
                Path file = o.profile().toAbsolutePath().resolve("boson-firmware-release.jfr");
                ProcessStats.run(jcmd.toString(), Long.toString(server.pid()), "JFR.stop", "name=bench-release", "filename=" + file);
                step("JFR profile of the server: %s", file);
            }
            long[] heap = ProcessStats.heapAfterGcKiB(jcmd, server.pid());
            long rss = ProcessStats.rssKiB(server.pid());
            JsonNode v2 = api.expect(api.get("/v1/products/" + p + "/firmware/2"), 200);
            double seconds = (all - t0) / 1e9;
            double rate = (double) size * done / seconds;
            String report = String.format(Locale.ROOT, """
                    ## Firmware release to %d devices (%d KiB image, %s)

                    | measure | value |
                    |---|---|
                    | devices updated (running v2, reconnected) | %d of %d |
                    | cloud-confirmed updates (rollout.updated) | %d |
                    | release call answered | %.1f ms |
                    | release to first offer at a device | %.1f ms |
                    | release to the last device running v2 | %.2f s |
                    | firmware payload delivered | %.1f MB/s (%.1f MB) |
                    | raw loopback TCP copy, same bytes, same run | %.0f MB/s |
                    | delivery rate / loopback rate | %.3f |
                    | server CPU during delivery | %.2f cores |
                    | benchmark JVM (the devices) CPU | %.2f cores |
                    | server CPU-seconds for the release (CPU × time) | %.1f |
                    | load average (1, 5, 15 min) at the release / at the end | %s / %s |
                    | server heap after GC (used / committed) | %.0f / %.0f MiB |
                    | server RSS | %.0f MiB |
                    """, fleet.size(), o.sizeKiB(), o.chunkKiB() > 0 ? "devices ask for chunks of " + o.chunkKiB() + " KiB"
                            : "chunks of 32 KiB", done, fleet.size(), v2.at("/rollout/updated").asLong(),
                    (released - t0) / 1e6, firstOffer < 0 ? Double.NaN : (firstOffer - t0) / 1e6, seconds, rate / 1e6,
                    (double) size * done / 1e6, loopback / 1e6, rate / loopback, cores[0], cores[1], cores[0] * seconds,
                    loadBefore, loadEnd, heap[0] / 1024.0,
                    heap[1] / 1024.0, rss / 1024.0);
            System.out.println(report);
            Files.createDirectories(Path.of("bench/target"));
            Files.writeString(Path.of("bench/target/firmware-benchmark.md"), report);
            fleet.forEach(BosonDevice::disconnect);
        }
    }

    private static HttpRequest upload(BosonApi api, long product, int version, byte[] image) {
        String boundary = "----bench" + UUID.randomUUID();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"firmware.bin\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        out.writeBytes(image);
        out.writeBytes(("\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"version\"\r\n\r\n" + version
                + "\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return HttpRequest.newBuilder(api.base().resolve("/v1/products/" + product + "/firmware"))
                .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + api.token())
                .header("Content-Type", "multipart/form-data;boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(out.toByteArray())).build();
    }

    /** Bytes per second of a plain TCP copy over loopback (one connection, 64 KiB writes): the ceiling. */
    static double loopbackBytesPerSecond(long total) throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread reader = Thread.ofPlatform().start(() -> {
                try (Socket s = listener.accept(); InputStream in = s.getInputStream()) {
                    byte[] buf = new byte[64 * 1024];
                    while (in.read(buf) >= 0) {
                        // drain
                    }
                } catch (Exception ignored) {
                    // the writer reports
                }
            });
            long t0 = System.nanoTime();
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
                 OutputStream out = s.getOutputStream()) {
                byte[] buf = new byte[64 * 1024];
                for (long sent = 0; sent < total; sent += buf.length) out.write(buf);
            }
            reader.join();
            return total / ((System.nanoTime() - t0) / 1e9);
        }
    }

    /** The machine's load average (1, 5, 15 minutes) from /proc/loadavg: the machine is shared, so it goes with the numbers. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + ", " + f[1] + ", " + f[2];
        } catch (Exception e) {
            return "unknown";
        }
    }

    static void step(String format, Object... args) {
        System.out.printf(Locale.ROOT, "firmware benchmark: " + format + "%n", args);
    }
}
