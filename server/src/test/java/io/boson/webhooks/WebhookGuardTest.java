package io.boson.webhooks;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The rate limit and the circuit of one webhook, with time passed in by hand. */
class WebhookGuardTest {

    @Test
    void bucketHoldsOneSecondAndRefillsWithTime() {
        WebhookGuard g = new WebhookGuard();
        for (int i = 0; i < 10; i++) assertThat(g.takeToken(1_000, 10)).isTrue();
        assertThat(g.takeToken(1_000, 10)).isFalse();
        assertThat(g.takeToken(1_099, 10)).as("0.99 of a token after 99 ms").isFalse();
        assertThat(g.takeToken(1_100, 10)).isTrue();
        assertThat(g.takeToken(60_000, 10)).isTrue();
        for (int i = 0; i < 9; i++) assertThat(g.takeToken(60_000, 10)).isTrue();
        assertThat(g.takeToken(60_000, 10)).as("a long pause refills one second's worth, no more").isFalse();
    }

    @Test
    void circuitRestsAfterConsecutiveFailuresThenProbes() {
        WebhookGuard g = new WebhookGuard();
        g.failed(0);
        g.failed(0);
        g.succeeded();
        g.failed(10);
        g.failed(10);
        assertThat(g.resting(10, 3, 1_000)).as("a success in between resets the count").isFalse();
        g.failed(20);
        assertThat(g.resting(21, 3, 1_000)).isTrue();
        assertThat(g.resting(1_019, 3, 1_000)).isTrue();
        assertThat(g.resting(1_020, 3, 1_000)).as("after the cooldown one request probes").isFalse();
        assertThat(g.resting(1_021, 3, 1_000)).as("the next waits for the probe or another cooldown").isTrue();
        g.succeeded();
        assertThat(g.resting(1_022, 3, 1_000)).isFalse();
    }
}
