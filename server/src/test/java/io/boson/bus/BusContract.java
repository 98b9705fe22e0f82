package io.boson.bus;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** What every {@link Bus} implementation must do; the NATS implementation will extend this too. */
abstract class BusContract {

    protected Bus bus;

    protected abstract Bus create();

    @BeforeEach
    void open() {
        bus = create();
    }

    @AfterEach
    void close() {
        bus.close();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void exactAndWildcardSubscribersReceiveMatchingMessagesOnly() {
        List<String> exact = new CopyOnWriteArrayList<>();
        List<String> star = new CopyOnWriteArrayList<>();
        List<String> tail = new CopyOnWriteArrayList<>();
        bus.subscribe("evt.u1", m -> exact.add(new String(m.data())));
        bus.subscribe("evt.*", m -> star.add(m.subject()));
        bus.subscribe("dev.>", m -> tail.add(m.subject()));
        bus.publish("evt.u1", b("a"));
        bus.publish("evt.u2", b("b"));
        bus.publish("dev.x.cmd", b("c"));
        bus.publish("evt.u1.extra", b("d"));
        await().atMost(Duration.ofSeconds(5)).until(() -> tail.size() == 1 && star.size() == 2 && exact.size() == 1);
        assertThat(exact).containsExactly("a");
        assertThat(star).containsExactly("evt.u1", "evt.u2");
        assertThat(tail).containsExactly("dev.x.cmd");
    }

    @Test
    void aLastTokenWildcardReceivesItsTokensSubjectsOnlyAndAnswersRequests() throws Exception {
        // One subscription per connected device (dev.<id>.*), beside the caches' dev.*.changed.
        List<String> device = new CopyOnWriteArrayList<>();
        List<String> other = new CopyOnWriteArrayList<>();
        List<String> changed = new CopyOnWriteArrayList<>();
        Bus.Subscription sub = bus.subscribe("dev.x.*", m -> {
            device.add(m.subject());
            if (m.replyTo() != null) bus.publish(m.replyTo(), b("answer " + m.subject()));
        });
        bus.subscribe("dev.y.*", m -> other.add(m.subject()));
        bus.subscribe("dev.*.changed", m -> changed.add(m.subject()));
        bus.publish("dev.x.cmd", b("1"));
        bus.publish("dev.x.changed", b("2"));
        bus.publish("dev.x", b("3"));
        bus.publish("dev.x.cmd.more", b("4"));
        bus.publish("dev.xx.cmd", b("5"));
        bus.publish("dev.y.kick", b("6"));
        await().atMost(Duration.ofSeconds(5)).until(() -> device.size() == 2 && other.size() == 1 && changed.size() == 1);
        assertThat(new String(bus.request("dev.x.ota", b("?"), Duration.ofSeconds(5)).get(), StandardCharsets.UTF_8))
                .isEqualTo("answer dev.x.ota");
        assertThat(device).containsExactly("dev.x.cmd", "dev.x.changed", "dev.x.ota");
        assertThat(other).containsExactly("dev.y.kick");
        assertThat(changed).containsExactly("dev.x.changed");

        sub.close();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThatThrownBy(
                () -> bus.request("dev.x.cmd", b("?"), Duration.ofSeconds(2)).get())
                .hasCauseInstanceOf(Bus.NoResponders.class));
        bus.publish("dev.y.kick", b("7"));
        await().atMost(Duration.ofSeconds(5)).until(() -> other.size() == 2);
        assertThat(device).hasSize(3);
    }

    @Test
    void oneSubjectsMessagesArriveInOrder() {
        List<Integer> got = new CopyOnWriteArrayList<>();
        bus.subscribe("dev.d9.cmd", m -> got.add(Integer.parseInt(new String(m.data()))));
        for (int i = 0; i < 500; i++) bus.publish("dev.d9.cmd", b(Integer.toString(i)));
        await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 500);
        assertThat(got).isSorted();
    }

    @Test
    void closedSubscriptionsReceiveNothing() {
        List<String> got = new CopyOnWriteArrayList<>();
        Bus.Subscription s = bus.subscribe("a.b", m -> got.add(new String(m.data())));
        s.close();
        bus.subscribe("a.b", m -> got.add("second:" + new String(m.data())));
        bus.publish("a.b", b("x"));
        await().atMost(Duration.ofSeconds(5)).until(() -> !got.isEmpty());
        assertThat(got).containsExactly("second:x");
    }

    @Test
    void requestGetsTheReply() throws Exception {
        bus.subscribe("dev.d1.cmd", m -> bus.publish(m.replyTo(), b("pong:" + new String(m.data()))));
        byte[] reply = bus.request("dev.d1.cmd", b("ping"), Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS);
        assertThat(new String(reply)).isEqualTo("pong:ping");
    }

    @Test
    void requestWithoutRespondersFailsAtOnce() {
        assertThatThrownBy(() -> bus.request("dev.nobody.cmd", b("x"), Duration.ofSeconds(30)).get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(Bus.NoResponders.class);
    }

    @Test
    void requestThatNobodyAnswersTimesOut() {
        bus.subscribe("dev.mute.cmd", m -> { });
        assertThatThrownBy(() -> bus.request("dev.mute.cmd", b("x"), Duration.ofMillis(100)).get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TimeoutException.class);
    }

    @Test
    void aFailingSubscriberDoesNotStopOthers() {
        List<String> got = new CopyOnWriteArrayList<>();
        bus.subscribe("x.y", m -> {
            throw new IllegalStateException("boom");
        });
        bus.subscribe("x.y", m -> got.add("ok"));
        bus.publish("x.y", b("1"));
        await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 1);
    }
}
