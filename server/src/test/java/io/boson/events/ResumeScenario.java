package io.boson.events;

import io.boson.testing.Api;
import io.boson.testing.SseStream;
import io.boson.testing.TestCloud;
import io.boson.testing.TestDevice;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 14's resume scenario: product devices publish 100 events a second (26 devices, each within
 * its 4/s limit, the shared test clock advanced with real time so their buckets refill), a stream
 * reads, disconnects for 5 seconds, and reconnects (possibly on another node) with the last id it
 * read; every event must arrive exactly once over the two connections.
 */
public final class ResumeScenario {

    static final int DEVICES = 26;
    static final long TICK_MILLIS = 10;

    private ResumeScenario() {
    }

    /** Streams on {@code first}, resumes on {@code second}; devices spread over {@code deviceNodes}. */
    public static void run(TestCloud first, TestCloud second, TestCloud... deviceNodes) throws Exception {
        Api owner = first.newUser();
        long product = first.newProduct(owner, "Resume " + System.nanoTime());
        List<TestDevice> devices = new ArrayList<>();
        for (int i = 0; i < DEVICES; i++) {
            devices.add(TestDevice.connect(deviceNodes[i % deviceNodes.length], first.productDevice(owner, product)));
        }
        String path = "/v1/products/" + product + "/events/tick";
        AtomicInteger published = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        List<String> refused = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread publisher = null;
        try (SseStream firstStream = SseStream.open(first.baseUrl(), path, owner.token())) {
            publisher = Thread.ofPlatform().name("tick-publisher").start(() -> {
                long next = System.nanoTime();
                for (int seq = 0; !stop.get(); seq++) {
                    int code = devices.get(seq % DEVICES).publish("tick", Integer.toString(seq)).getCode();
                    if (code != 0) refused.add(seq + ": " + code);
                    published.incrementAndGet();
                    first.clock.advance(Duration.ofMillis(TICK_MILLIS));
                    next += TICK_MILLIS * 1_000_000;
                    LockSupport.parkNanos(next - System.nanoTime());
                }
            });
            List<SseStream.Received> before = new ArrayList<>();
            while (before.size() < 100) before.add(firstStream.next(Duration.ofSeconds(10)));
            firstStream.close();
            assertThat(firstStream.awaitEnded(Duration.ofSeconds(5))).isTrue();
            before.addAll(firstStream.drain());
            String lastId = firstStream.lastEventId();
            assertThat(lastId).isNotBlank();
            assertThat(before.getLast().id()).isEqualTo(lastId);
            int atDisconnect = published.get();
            Thread.sleep(5_000); // the client is away for 5 s while the devices keep publishing (the scenario itself)
            assertThat(published.get() - atDisconnect).as("events published while away").isGreaterThan(200);

            try (SseStream resumed = SseStream.open(second.baseUrl(), path, owner.token(), lastId)) {
                List<SseStream.Received> after = new ArrayList<>();
                // Keep publishing live for a while after the replay, then stop and wait for the last one.
                while (after.size() < 200) after.add(resumed.next(Duration.ofSeconds(10)));
                stop.set(true);
                publisher.join(10_000);
                int total = published.get();
                try {
                    await().atMost(Duration.ofSeconds(10)).until(() -> {
                        after.addAll(resumed.drain());
                        return count(before) + count(after) >= total;
                    });
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    // fall through: the assertions below name what is missing
                }
                after.addAll(resumed.drain());
                assertThat(resumed.comments()).as("comments (a :dropped N would say the stream lost events)")
                        .isLessThan(100);
                assertThat(refused).as("publishes refused").isEmpty();
                List<Integer> all = new ArrayList<>(seqs(before));
                all.addAll(seqs(after));
                Set<Integer> distinct = new HashSet<>(all);
                assertThat(all).as("no event twice").hasSameSizeAs(distinct);
                Set<Integer> expected = new HashSet<>();
                for (int i = 0; i < total; i++) expected.add(i);
                Set<Integer> missing = new java.util.TreeSet<>(expected);
                missing.removeAll(distinct);
                assertThat(missing).as("events missing; the resumed stream began with " + seqs(after).subList(0,
                        Math.min(5, after.size())) + " after " + seqs(before).subList(Math.max(0, before.size() - 5),
                        before.size()) + ", last id " + lastId).isEmpty();
                assertThat(distinct).as("every event once").isEqualTo(expected);
                assertThat(after).allSatisfy(r -> assertThat(r.id()).isNotBlank());
            }
        } finally {
            stop.set(true);
            if (publisher != null) publisher.join(10_000);
            devices.forEach(TestDevice::close);
        }
    }

    private static int count(List<SseStream.Received> rs) {
        return rs.size();
    }

    private static List<Integer> seqs(List<SseStream.Received> rs) {
        List<Integer> out = new ArrayList<>();
        for (SseStream.Received r : rs) out.add(Integer.parseInt(r.data().get("data").asText()));
        return out;
    }
}
