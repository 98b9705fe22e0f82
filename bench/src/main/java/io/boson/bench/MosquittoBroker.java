package io.boson.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A private Mosquitto for the baseline: a fresh process per run on a free loopback port, so its RSS
 * and CPU belong to the benchmark alone (not to whatever else uses a shared broker).
 *
 * <p>{@code set_tcp_nodelay true} matters: Mosquitto 2.0 leaves Nagle's algorithm on by default, and
 * then a small packet that follows an unacknowledged one waits for the peer's delayed ACK (up to
 * 40 ms on Linux). Boson's gateway and the HiveMQ client both set TCP_NODELAY. With the default
 * config, the call baseline on this machine fell from ~14,000 to ~2,200 calls/s at 100 devices
 * (p50 1.1 ms to 7.6 ms), where each connection carries many calls; at 1,000 devices it made no
 * difference. A baseline handicapped that way would flatter Boson.
 */
final class MosquittoBroker implements AutoCloseable {

    private final Process process;
    private final int port;

    private MosquittoBroker(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static MosquittoBroker start(String binary, Path dir) throws IOException, InterruptedException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Files.createDirectories(dir);
        Path conf = dir.resolve("mosquitto.conf");
        Files.writeString(conf, String.join("\n",
                "listener " + port + " 127.0.0.1",
                "allow_anonymous true",
                "set_tcp_nodelay true",
                "persistence false",
                "connection_messages false",
                "log_dest stderr",
                ""));
        Process p = new ProcessBuilder(binary, "-c", conf.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) throw new IOException("mosquitto exited; see " + dir.resolve("mosquitto.log"));
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return new MosquittoBroker(p, port);
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        p.destroyForcibly();
        throw new IOException("mosquitto did not listen on port " + port + " within 10 s");
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
