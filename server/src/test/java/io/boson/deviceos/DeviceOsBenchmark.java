package io.boson.deviceos;

import io.boson.devices.DeviceIds;
import io.boson.testing.Api;
import io.boson.testing.TestCloud;
import io.boson.testing.TestDevice;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Device OS devices (the test client, CoAP over DTLS) against MQTT devices (HiveMQ's client, the
 * device protocol) on one Boson process, in the same run: connect rate and server CPU per connect
 * (DTLS: ECDHE + ECDSA handshake and hello; MQTT: TCP + CONNECT), live heap per connected device,
 * server CPU per event at 1 event/s per device, and function-call latency one at a time. Not a
 * test: {@code bench/run deviceos [--devices N] [--duration S]} runs it (docs/benchmarks.md).
 */
public final class DeviceOsBenchmark {

    private static final Pattern UP = Pattern.compile("Boson is up: HTTP API on http://[^:]+:(\\d+), MQTT devices on [^:]+:(\\d+)");

    public static void main(String[] args) throws Exception {
        int devices = 1000;
        int seconds = 20;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--devices")) devices = Integer.parseInt(args[++i]);
            if (args[i].equals("--duration")) seconds = Integer.parseInt(args[++i]);
        }
        // Metering stays on (both kinds are billed alike); the free plan's 100 devices would stop the run.
        Path dir = Files.createTempDirectory("boson-deviceos-bench");
        int coapPort;
        try (java.net.DatagramSocket probe = new java.net.DatagramSocket(0)) {
            coapPort = probe.getLocalPort();
        }
        Path log = dir.resolve("server.log");
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:+UseSerialGC",
                "-Xmx2g", "-cp", System.getProperty("java.class.path"), "io.boson.Main", "serve", "--data-dir", dir.resolve("data").toString(),
                "--bind", "127.0.0.1", "--http-port", "0", "--mqtt-port", "0", "--coap-port", Integer.toString(coapPort),
                "--limit-requests", "0", "--free-limits", "1000000,1000000000,1000000");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(Map.of("BOSON_ADMIN_USERNAME", TestCloud.ADMIN, "BOSON_ADMIN_PASSWORD", TestCloud.ADMIN_PASSWORD));
        Process server = pb.start();
        try {
            int[] ports = awaitUp(log);
            String base = "http://127.0.0.1:" + ports[0];
            Api admin = login(base);
            PublicKey serverKey = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(
                    java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                                    java.net.URI.create(base + "/v1/server_key?format=der")).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofByteArray()).body()));
            InetSocketAddress udp = new InetSocketAddress("127.0.0.1", coapPort);
            Bench b = new Bench(server.pid(), admin, ports[1], udp, serverKey);
            System.err.println("registering " + devices + " devices of each kind...");
            List<TestCloud.Credentials> mqtt = b.registerMqtt(devices + 100);
            List<DosDevice> dos = b.registerDeviceOs(devices + 100);
            // Warm-up: both kinds, a hundred devices each, connects, events and calls (the JIT sees both paths).
            System.err.println("warming up...");
            for (int round = 0; round < 2; round++) {
                b.mqttPhase(mqtt.subList(devices, devices + 100), 5, false);
                b.dosPhase(dos.subList(devices, devices + 100), 5, false);
            }
            System.err.println("measuring...");
            Result m1 = b.mqttPhase(mqtt.subList(0, devices), seconds, true);
            Result d1 = b.dosPhase(dos.subList(0, devices), seconds, true);
            StringBuilder out = new StringBuilder();
            out.append("| ").append(devices).append(" devices, one Boson process | MQTT (device protocol) | Device OS (CoAP over DTLS) |\n");
            out.append("|---|---|---|\n");
            out.append(String.format("| connect, 16 at a time: devices/s | %.0f | %.0f |%n", m1.connectRate, d1.connectRate));
            out.append(String.format("| server CPU per connect | %.2f ms | %.2f ms |%n", m1.cpuPerConnectMs, d1.cpuPerConnectMs));
            out.append(String.format("| live heap per connected device (after full GC: connected − disconnected) | %.0f B | %.0f B |%n",
                    m1.heapPerDevice, d1.heapPerDevice));
            out.append(String.format("| heap kept per device after it left (DTLS session kept to resume) | — | %.0f B |%n", d1.keptPerDevice));
            out.append(String.format("| events at 1/s per device: acknowledged | %d of %d | %d of %d |%n", m1.eventsAcked, m1.eventsSent,
                    d1.eventsAcked, d1.eventsSent));
            out.append(String.format("| server CPU per event | %.0f µs | %.0f µs |%n", m1.cpuPerEventUs, d1.cpuPerEventUs));
            out.append(String.format("| function call, one at a time: p50 / p99 | %.2f / %.2f ms | %.2f / %.2f ms |%n", m1.callP50, m1.callP99,
                    d1.callP50, d1.callP99));
            out.append(String.format("| server CPU per call (API request included) | %.0f µs | %.0f µs |%n", m1.cpuPerCallUs, d1.cpuPerCallUs));
            System.out.println(out);
            Path report = Path.of("bench", "target", "deviceos-benchmark.md");
            Files.createDirectories(report.getParent());
            Files.writeString(report, out.toString());
        } finally {
            server.destroy();
            server.waitFor();
        }
    }

    record Result(double connectRate, double cpuPerConnectMs, double heapPerDevice, double keptPerDevice, long eventsSent, long eventsAcked,
                  double cpuPerEventUs, double callP50, double callP99, double cpuPerCallUs) {
    }

    record DosDevice(String id, KeyPair key) {
    }

    static final class Bench {
        final long pid;
        final Api admin;
        final int mqttPort;
        final InetSocketAddress udp;
        final PublicKey serverKey;

        Bench(long pid, Api admin, int mqttPort, InetSocketAddress udp, PublicKey serverKey) {
            this.pid = pid;
            this.admin = admin;
            this.mqttPort = mqttPort;
            this.udp = udp;
            this.serverKey = serverKey;
        }

        List<TestCloud.Credentials> registerMqtt(int n) {
            List<TestCloud.Credentials> out = new ArrayList<>();
            while (out.size() < n) {
                Api.Response r = admin.postJson("/v1/admin/devices", Map.of("platform_id", 12, "count", Math.min(1000, n - out.size())));
                for (var d : r.json().get("devices")) out.add(new TestCloud.Credentials(d.get("id").asText(), d.get("secret").asText()));
            }
            return out;
        }

        List<DosDevice> registerDeviceOs(int n) throws Exception {
            List<DosDevice> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String id = DeviceIds.random();
                KeyPair key = DeviceKeysTest.ecKey();
                Map<String, String> form = DeviceKeysTest.form(id, key.getPublic(), "ecc");
                form.put("platform_id", "12");
                Api.Response r = admin.postForm("/v1/provisioning/" + id, form);
                if (r.status() != 200) throw new IllegalStateException("provisioning failed: " + r);
                out.add(new DosDevice(id, key));
            }
            return out;
        }

        Result mqttPhase(List<TestCloud.Credentials> creds, int seconds, boolean measure) throws Exception {
            Connect<TestCloud.Credentials, TestDevice> connect = c -> {
                TestDevice d = TestDevice.connect(mqttPort, c);
                // Function calls only, as the Device OS devices here: not every event of the owner's 1,000 devices.
                TestDevice.join(d.client().subscribeWith().topicFilter("c/f/#")
                        .qos(com.hivemq.client.mqtt.datatypes.MqttQos.AT_MOST_ONCE).send());
                TestDevice.join(d.client().unsubscribeWith().topicFilter("c/#").send());
                d.describe("{\"f\":[\"led\"],\"v\":{},\"platform_id\":12}");
                return d;
            };
            long cpu0 = cpuNanos();
            long t0 = System.nanoTime();
            List<TestDevice> connected = parallel(creds, connect);
            double connectSeconds = (System.nanoTime() - t0) / 1e9;
            long connectCpu = cpuNanos() - cpu0;
            // Heap a connected device holds: with them connected, then once they disconnected (nothing else between).
            long heapConnected = measure ? heapAfterGc() : 0;
            for (TestDevice d : connected) d.close();
            long heapGone = measure ? heapAfterGc() : 0;
            List<TestDevice> again = parallel(creds, connect);
            for (TestDevice d : again) claim(d.id);
            long[] events = events(again.size(), seconds, i -> again.get(i).publish("bench", "x").getCode() < 0x80);
            double[] calls = calls(again.stream().map(d -> d.id).toList(), seconds);
            for (TestDevice d : again) d.close();
            return new Result(creds.size() / connectSeconds, connectCpu / 1e6 / creds.size(),
                    (heapConnected - heapGone) * 1024.0 / creds.size(), 0,
                    events[0], events[1], events[2] / 1e3 / Math.max(1, events[1]), calls[0], calls[1], calls[2]);
        }

        Result dosPhase(List<DosDevice> devices, int seconds, boolean measure) throws Exception {
            Connect<DosDevice, DeviceOsTestDevice> connect = dd -> {
                DeviceOsTestDevice d = new DeviceOsTestDevice(dd.id(), dd.key(), serverKey, udp);
                if (!d.handshake()) throw new IllegalStateException("no handshake for " + dd.id());
                if (d.hello(dd.id(), 12, 0xFFFF) == null) throw new IllegalStateException("no hello ack");
                d.functions.put("led", arg -> arg.length());
                if (d.describe() == null) throw new IllegalStateException("no describe ack");
                return d;
            };
            long heapBefore = measure ? heapAfterGc() : 0;
            long cpu0 = cpuNanos();
            long t0 = System.nanoTime();
            List<DeviceOsTestDevice> connected = parallel(devices, connect);
            double connectSeconds = (System.nanoTime() - t0) / 1e9;
            long connectCpu = cpuNanos() - cpu0;
            long heapConnected = measure ? heapAfterGc() : 0;
            goodbye(connected);
            long heapGone = measure ? heapAfterGc() : 0;
            List<DeviceOsTestDevice> again = parallel(devices, connect);
            for (DeviceOsTestDevice d : again) claim(d.id);
            long[] events = events(again.size(), seconds, i -> {
                CoapMessage ack = again.get(i).publish("bench", "x");
                return ack != null && ack.code() == CoapMessage.EMPTY;
            });
            double[] calls = calls(again.stream().map(d -> d.id).toList(), seconds);
            goodbye(again);
            return new Result(devices.size() / connectSeconds, connectCpu / 1e6 / devices.size(),
                    (heapConnected - heapGone) * 1024.0 / devices.size(), (heapGone - heapBefore) * 1024.0 / devices.size(),
                    events[0], events[1], events[2] / 1e3 / Math.max(1, events[1]), calls[0], calls[1], calls[2]);
        }

        /** Goodbye, so that the session ends now and not after the keep-alive (the DTLS session stays, to resume). */
        private static void goodbye(List<DeviceOsTestDevice> devices) throws InterruptedException {
            for (DeviceOsTestDevice d : devices) {
                d.send(new CoapMessage(CoapMessage.CON, CoapMessage.POST, d.nextId(), CoapMessage.NO_TOKEN,
                        List.of(CoapMessage.path("x")), CoapMessage.NO_PAYLOAD));
            }
            Thread.sleep(500);
            for (DeviceOsTestDevice d : devices) d.close();
        }

        private void claim(String id) {
            Api.Response r = admin.postJson("/v1/devices", Map.of("id", id));
            if (r.status() != 200) throw new IllegalStateException("claim failed: " + r);
        }

        interface Publish {
            boolean send(int device) throws Exception;
        }

        /** Every device publishes once a second, spread over the second; returns sent, acknowledged, server CPU ns. */
        long[] events(int n, int seconds, Publish publish) throws Exception {
            AtomicLong sent = new AtomicLong();
            AtomicLong acked = new AtomicLong();
            long cpu0 = cpuNanos();
            long start = System.nanoTime();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < n; i++) {
                    int device = i;
                    long offset = (long) (1e9 * i / n);
                    pool.submit(() -> {
                        for (int s = 0; s < seconds; s++) {
                            long due = start + offset + s * 1_000_000_000L;
                            long wait = due - System.nanoTime();
                            if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                            sent.incrementAndGet();
                            if (publish.send(device)) acked.incrementAndGet();
                        }
                        return null;
                    });
                }
            }
            return new long[]{sent.get(), acked.get(), cpuNanos() - cpu0};
        }

        /** Function calls one at a time to random devices: p50 ms, p99 ms, server CPU µs per call. */
        double[] calls(List<String> ids, int seconds) throws Exception {
            List<Long> latencies = new ArrayList<>();
            long cpu0 = cpuNanos();
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            while (System.nanoTime() < end) {
                String id = ids.get(ThreadLocalRandom.current().nextInt(ids.size()));
                long t = System.nanoTime();
                Api.Response r = admin.postForm("/v1/devices/" + id + "/led", Map.of("arg", "bench"));
                if (r.status() != 200) {
                    throw new IllegalStateException("call failed: " + r + "\n" + admin.get("/v1/devices/" + id).body());
                }
                latencies.add(System.nanoTime() - t);
            }
            long cpu = cpuNanos() - cpu0;
            long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
            return new double[]{sorted[sorted.length / 2] / 1e6, sorted[(int) (sorted.length * 0.99)] / 1e6, cpu / 1e3 / sorted.length};
        }

        interface Connect<T, R> {
            R apply(T t) throws Exception;
        }

        static <T, R> List<R> parallel(List<T> items, Connect<T, R> connect) throws Exception {
            List<R> out = new ArrayList<>();
            try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
                List<Future<R>> fs = new ArrayList<>();
                for (T t : items) fs.add(pool.submit(() -> connect.apply(t)));
                for (Future<R> f : fs) out.add(f.get());
            }
            return out;
        }

        long cpuNanos() throws IOException {
            String[] f = Files.readString(Path.of("/proc/" + pid + "/stat")).split("\\) ")[1].split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L; // 100 ticks per second
        }

        /** Used heap (KiB) after a full GC, by jcmd, once the node settled (presence flushes every 5 s). */
        long heapAfterGc() throws Exception {
            Thread.sleep(6000);
            String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
            new ProcessBuilder(jcmd, Long.toString(pid), "GC.run").redirectErrorStream(true).start().waitFor();
            Process p = new ProcessBuilder(jcmd, Long.toString(pid), "GC.heap_info").redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            long used = 0;
            // The serial collector: one line per generation, "DefNew total 116160K, used 31005K [...]".
            Matcher m = Pattern.compile("(?m)^\\w+\\s+total \\d+K, used (\\d+)K").matcher(text);
            boolean any = false;
            while (m.find()) {
                used += Long.parseLong(m.group(1));
                any = true;
            }
            if (!any) throw new IllegalStateException("unexpected GC.heap_info output:\n" + text);
            return used;
        }
    }

    private static int[] awaitUp(Path log) throws Exception {
        long end = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < end) {
            if (Files.exists(log)) {
                Matcher m = UP.matcher(Files.readString(log));
                if (m.find()) return new int[]{Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("Boson did not start: " + Files.readString(log));
    }

    private static Api login(String base) {
        Api.Response r = new Api(base, null).postForm("/oauth/token", Map.of("grant_type", "password", "username", TestCloud.ADMIN,
                "password", TestCloud.ADMIN_PASSWORD, "client_id", "particle", "client_secret", "particle", "expires_in", "0"));
        if (r.status() != 200) throw new IllegalStateException("login failed: " + r);
        return new Api(base, r.json().get("access_token").asText());
    }

    private DeviceOsBenchmark() {
    }
}
