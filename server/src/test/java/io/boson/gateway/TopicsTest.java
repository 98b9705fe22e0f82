package io.boson.gateway;

import io.boson.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class TopicsTest {

    @Test
    void eventNames() {
        assertThat(Topics.validEventName("temp")).isTrue();
        assertThat(Topics.validEventName("sensors/door-1_a")).isTrue();
        assertThat(Topics.validEventName("x".repeat(64))).isTrue();
        assertThat(Topics.validEventName("x".repeat(65))).isFalse();
        assertThat(Topics.validEventName("")).isFalse();
        assertThat(Topics.validEventName("SPARK/x")).isFalse();
        assertThat(Topics.validEventName("particleThing")).isFalse();
        assertThat(Topics.validEventName("a b")).isFalse();
        assertThat(Topics.validEventName("a+b")).isFalse();
    }

    @Test
    void subscriptionsStayBelowC() {
        assertThat(Topics.validSubscription("c/#")).isTrue();
        assertThat(Topics.validSubscription("c/e/+/door")).isTrue();
        assertThat(Topics.validSubscription("#")).isFalse();
        assertThat(Topics.validSubscription("e/x")).isFalse();
        assertThat(Topics.validSubscription("c/#/x")).isFalse();
        assertThat(Topics.validSubscription("c/e/a#")).isFalse();
    }

    @Test
    void eventMatchingIsMqttOrParticlePrefix() {
        assertThat(Topics.eventMatches("c/#", "anything/here")).isTrue();
        assertThat(Topics.eventMatches("c/e/#", "x")).isTrue();
        assertThat(Topics.eventMatches("c/e/temp", "temperature")).isTrue();
        assertThat(Topics.eventMatches("c/e/temp", "humidity")).isFalse();
        assertThat(Topics.eventMatches("c/e/+/door", "a/door")).isTrue();
        assertThat(Topics.eventMatches("c/e/+/door", "a/b/door")).isFalse();
        assertThat(Topics.eventMatches("c/f/#", "x")).isFalse();
        assertThat(Topics.couldMatchEvents("c/f/#")).isFalse();
        assertThat(Topics.couldMatchEvents("c/e")).isFalse();
        assertThat(Topics.couldMatchEvents("c/+/x")).isTrue();
        assertThat(Topics.couldMatchEvents("c/#")).isTrue();
    }

    @Test
    void eventLimitIsFourASecondWithBurstsOfEight() {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        TokenBucket limit = TokenBucket.forEvents(clock);
        for (int i = 0; i < 8; i++) assertThat(limit.tryAcquire()).isTrue();
        assertThat(limit.tryAcquire()).isFalse();
        clock.advance(Duration.ofMillis(200));
        assertThat(limit.tryAcquire()).isFalse();
        clock.advance(Duration.ofMillis(50));
        assertThat(limit.tryAcquire()).isTrue();
        assertThat(limit.tryAcquire()).isFalse();
        // A device that floods gets 4 a second through.
        int through = 0;
        for (int ms = 0; ms < 10_000; ms += 10) {
            clock.advance(Duration.ofMillis(10));
            for (int i = 0; i < 5; i++) if (limit.tryAcquire()) through++;
        }
        assertThat(through).isEqualTo(40);
    }

    /**
     * Device OS's own limiter (communication/src/publisher.h): the times of the last five publish
     * attempts, refused ones included; an attempt is refused when the fifth most recent (itself
     * counted) was less than a second before it.
     */
    static final class DeviceOsLimiter {
        private final long[] recent = {-1000, -1000, -1000, -1000, -1000};
        private int idx;

        boolean rateLimited(long now) {
            recent[idx] = now;
            idx = (idx + 1) % 5;
            return now - recent[idx] < 1000;
        }
    }

    @Test
    void everyEventDeviceOsSendsGetsThroughEvenWhenTheNetworkBunchesThem() {
        java.util.Random random = new java.util.Random(17);
        for (int run = 0; run < 200; run++) {
            // A firmware publishing in bursts at random times; Device OS sends what its limiter allows.
            DeviceOsLimiter deviceOs = new DeviceOsLimiter();
            java.util.List<Long> sent = new java.util.ArrayList<>();
            long t = 0;
            while (t < 120_000) {
                int burst = 1 + random.nextInt(5);
                for (int i = 0; i < burst; i++) if (!deviceOs.rateLimited(t)) sent.add(t);
                t += random.nextInt(random.nextBoolean() ? 400 : 1500);
            }
            // The network delays each event by up to one second, in order (one TCP connection).
            MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
            TokenBucket limit = TokenBucket.forEvents(clock);
            long start = clock.millis();
            long lastArrival = 0;
            for (long s : sent) {
                long arrival = Math.max(lastArrival, s + random.nextInt(1001));
                clock.advance(Duration.ofMillis(arrival - (clock.millis() - start)));
                lastArrival = arrival;
                assertThat(limit.tryAcquire()).as("run %d: event sent at %d ms, arrived at %d ms", run, s, arrival).isTrue();
            }
        }
    }

    @Test
    void controlMessagesHaveTheirOwnSlowerBucket() {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        TokenBucket limit = TokenBucket.forControl(clock);
        for (int i = 0; i < 10; i++) assertThat(limit.tryAcquire()).isTrue();
        assertThat(limit.tryAcquire()).isFalse();
        clock.advance(Duration.ofSeconds(5));
        assertThat(limit.tryAcquire()).isFalse();
        clock.advance(Duration.ofSeconds(1));
        assertThat(limit.tryAcquire()).isTrue();
    }
}
