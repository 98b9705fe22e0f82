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
 * publishes every second costs one device-row write a minute (its session tells presence once a
 * minute). It is never further behind than the interval, and a connect and a disconnect write it at
 * once.
 */
class LastHeardTest extends CloudTest {

    @Test
    void aDevicesLastHeardIsWrittenOncePerIntervalAndAtItsDisconnect() throws Exception {
        Api user = cloud.newUser();
        TestDevice device = cloud.claimedDevice(user);
        Presence presence = cloud.boson().presence();
        Instant connected = lastHeard(user, device.id);

        // Heard 10 s after it connected: not reported, not written.
        cloud.clock.advance(Duration.ofSeconds(10));
        assertThat(device.publish("t", "1").getCode()).isZero();
        presence.flush();
        assertThat(presence.heardPending()).isZero();
        assertThat(lastHeard(user, device.id)).isEqualTo(connected);

        // A minute after the connect: reported, and written by the next flush.
        cloud.clock.advance(Duration.ofSeconds(50));
        Instant minuteLater = cloud.clock.instant();
        assertThat(device.publish("t", "2").getCode()).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> lastHeard(user, device.id).equals(minuteLater));

        // Heard again 5 s later: not written; 59 s after the last report: still not.
        cloud.clock.advance(Duration.ofSeconds(5));
        assertThat(device.publish("t", "3").getCode()).isZero();
        cloud.clock.advance(Duration.ofSeconds(54));
        assertThat(device.publish("t", "4").getCode()).isZero();
        presence.flush();
        assertThat(lastHeard(user, device.id)).isEqualTo(minuteLater);

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
