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
    void rateLimitIsABucketOfFourRefilledOncePerSecond() {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        TokenBucket limit = TokenBucket.forEvents(clock);
        for (int i = 0; i < 4; i++) assertThat(limit.tryAcquire()).isTrue();
        assertThat(limit.tryAcquire()).isFalse();
        clock.advance(Duration.ofMillis(500));
        assertThat(limit.tryAcquire()).isFalse();
        clock.advance(Duration.ofMillis(500));
        assertThat(limit.tryAcquire()).isTrue();
        assertThat(limit.tryAcquire()).isFalse();
        clock.advance(Duration.ofMinutes(1));
        for (int i = 0; i < 4; i++) assertThat(limit.tryAcquire()).isTrue();
        assertThat(limit.tryAcquire()).isFalse();
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
