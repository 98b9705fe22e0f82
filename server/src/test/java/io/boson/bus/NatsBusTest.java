package io.boson.bus;

import org.junit.jupiter.api.BeforeAll;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.UUID;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The NATS bus passes the same contract as the in-process one, against the NATS on 127.0.0.1:4222. */
class NatsBusTest extends BusContract {

    static final String URL = System.getProperty("boson.test.nats", "nats://127.0.0.1:4222");

    @BeforeAll
    static void natsReachable() {
        assumeTrue(reachable(), "no NATS server at " + URL);
    }

    static boolean reachable() {
        java.net.URI uri = java.net.URI.create(URL);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 500);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Override
    protected Bus create() {
        // Subjects of this run only: nothing else on the server sees them, and they vanish with the connection.
        return NatsBus.connect(URL, "boson-test." + UUID.randomUUID().toString().replace("-", ""), "test");
    }

    @org.junit.jupiter.api.Test
    void subscriptionsShareThreads() {
        // A node holds several subscriptions per connected device; they must not cost a thread each.
        int before = Thread.activeCount();
        java.util.List<Bus.Subscription> subs = new java.util.ArrayList<>();
        for (int i = 0; i < 500; i++) subs.add(bus.subscribe("dev.d" + i + ".cmd", m -> { }));
        org.assertj.core.api.Assertions.assertThat(Thread.activeCount() - before).isLessThan(20);
        subs.forEach(Bus.Subscription::close);
    }
}
