package io.boson.devices;

import io.boson.testing.Api;
import io.boson.testing.CloudTest;
import io.boson.testing.TestDevice;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Last heard is written at most once per interval (a minute by default) per device: a device that
 * publishes every second costs one device-row write a minute. It is never further behind than the
 * interval, a connect and a disconnect write it at once, and a clean shutdown writes what is held.
 */
class LastHeardTest extends CloudTest {

    @Test
    void aDevicesLastHeardIsWrittenOncePerIntervalAndAtItsDisconnect() throws Exception {
        Api user = cloud.newUser();
        TestDevice device = cloud.claimedDevice(user);
        Presence presence = cloud.boson().presence();
        Instant connected = lastHeard(user, device.id);

        // Heard 10 s after it connected: held, not written.
        cloud.clock.advance(Duration.ofSeconds(10));
        assertThat(device.publish("t", "1").getCode()).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> presence.heardPending() == 1);
        presence.flush();
        assertThat(lastHeard(user, device.id)).isEqualTo(connected);
        assertThat(presence.heardPending()).isEqualTo(1);

        // A minute after the last write: written by the next flush.
        cloud.clock.advance(Duration.ofSeconds(50));
        Instant minuteLater = cloud.clock.instant();
        assertThat(device.publish("t", "2").getCode()).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> lastHeard(user, device.id).equals(minuteLater));
        await().atMost(Duration.ofSeconds(10)).until(() -> presence.heardPending() == 0);

        // Heard again 5 s later: held; what is held is written by the shutdown's flush.
        cloud.clock.advance(Duration.ofSeconds(5));
        Instant held = cloud.clock.instant();
        assertThat(device.publish("t", "3").getCode()).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> presence.heardPending() == 1);
        presence.flush();
        assertThat(lastHeard(user, device.id)).isEqualTo(minuteLater);
        presence.flushAll();
        assertThat(lastHeard(user, device.id)).isEqualTo(held);

        // The disconnect writes its own time at once.
        cloud.clock.advance(Duration.ofSeconds(3));
        Instant gone = cloud.clock.instant();
        device.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> !user.get("/v1/devices/" + device.id).json().get("online").asBoolean());
        assertThat(lastHeard(user, device.id)).isEqualTo(gone);
    }

    private static Instant lastHeard(Api user, String id) throws Exception {
        return Instant.parse(user.get("/v1/devices/" + id).json().get("last_heard").asText());
    }
}
