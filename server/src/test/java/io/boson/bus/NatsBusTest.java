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

    private String prefix;

    @Override
    protected Bus create() {
        // Subjects of this run only: nothing else on the server sees them, and they vanish with the connection.
        prefix = "boson-test." + UUID.randomUUID().toString().replace("-", "");
        return NatsBus.connect(URL, prefix, "test");
    }

    @org.junit.jupiter.api.Test
    void twoNodesSeeEachOthersMessagesOnceAndAnswerEachOthersRequests() throws Exception {
        try (Bus other = NatsBus.connect(URL, prefix, "other")) {
            java.util.List<String> here = new java.util.concurrent.CopyOnWriteArrayList<>();
            java.util.List<String> there = new java.util.concurrent.CopyOnWriteArrayList<>();
            bus.subscribe("evt.>", m -> here.add(new String(m.data())));
            other.subscribe("evt.>", m -> there.add(new String(m.data())));
            other.subscribe("dev.far.cmd", m -> other.publish(m.replyTo(), ("far:" + new String(m.data())).getBytes()));
            bus.subscribe("dev.near.cmd", m -> bus.publish(m.replyTo(), ("near:" + new String(m.data())).getBytes()));
            // A subscription reaches the NATS server asynchronously: wait until the other node's is live.
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).ignoreExceptions().until(() ->
                    new String(bus.request("dev.far.cmd", "x".getBytes(), java.time.Duration.ofSeconds(1)).get()).equals("far:x"));
            bus.publish("evt.a", "from-here".getBytes());
            other.publish("evt.b", "from-there".getBytes());
            bus.publish("evt.end", "end".getBytes());
            other.publish("evt.end", "end".getBytes());
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                    .until(() -> here.size() >= 4 && there.size() >= 4);
            org.assertj.core.api.Assertions.assertThat(here).containsExactlyInAnyOrder("from-here", "from-there", "end", "end");
            org.assertj.core.api.Assertions.assertThat(there).containsExactlyInAnyOrder("from-here", "from-there", "end", "end");
            org.assertj.core.api.Assertions.assertThat(new String(other.request("dev.near.cmd", "y".getBytes(),
                    java.time.Duration.ofSeconds(2)).get())).isEqualTo("near:y");
            org.assertj.core.api.Assertions.assertThat(new String(bus.request("dev.near.cmd", "z".getBytes(),
                    java.time.Duration.ofSeconds(2)).get())).isEqualTo("near:z");
        }
    }

    @org.junit.jupiter.api.Test
    void afterSyncASubscriptionGetsWhatAnotherNodePublishesAtOnce() throws Exception {
        // Without sync the other node's publish can reach the NATS server before this node's SUB does, and is lost.
        try (Bus other = NatsBus.connect(URL, prefix, "other")) {
            for (int i = 0; i < 100; i++) {
                java.util.concurrent.CompletableFuture<String> got = new java.util.concurrent.CompletableFuture<>();
                try (Bus.Subscription ignored = bus.subscribe("sync." + i, m -> got.complete(new String(m.data())))) {
                    bus.sync(java.time.Duration.ofSeconds(2));
                    other.publish("sync." + i, ("n" + i).getBytes());
                    org.assertj.core.api.Assertions.assertThat(got.get(2, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("n" + i);
                }
            }
        }
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
