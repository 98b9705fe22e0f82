package io.boson.devices;

import io.boson.testing.Api;
import io.boson.testing.CloudTest;
import io.boson.testing.SseStream;
import io.boson.testing.TestCloud;
import io.boson.testing.TestDevice;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A session's end that the database refuses is written later, not lost. Without the retry the device
 * showed online for as long as its node lived: nothing else marks a device offline on a live node.
 *
 * <p>The fault is real: another transaction holds the device's row, and the database cancels the
 * statement that waits for it (H2's CANCEL_SESSION, PostgreSQL's pg_cancel_backend), as an operator
 * or a statement timeout would.
 */
class OfflineRetryTest extends CloudTest {

    private static final String MARK_OFFLINE = "UPDATE devices SET online = FALSE%";

    @Test
    void aDisconnectTheDatabaseRefusedIsRecordedAtTheNextFlush() throws Exception {
        Api user = cloud.newUser();
        TestDevice device = cloud.claimedDevice(user);
        String id = device.id;
        Presence presence = cloud.boson().presence();
        try (SseStream events = SseStream.open(cloud.baseUrl(), "/v1/devices/" + id + "/events/spark/status", user.token());
             Handle lock = cloud.boson().database().jdbi().open()) {
            lock.begin();
            lock.createUpdate("UPDATE devices SET notes = notes WHERE id = ?").bind(0, id).execute();
            device.close();
            // The gateway's write waits for the row; cancel it.
            await().atMost(Duration.ofSeconds(10)).until(() -> cancelWaitingMarkOffline(cloud) > 0);
            await().atMost(Duration.ofSeconds(10)).until(() -> presence.pendingOffline() == 1);
            assertThat(user.get("/v1/devices/" + id).json().get("online").asBoolean()).isTrue();
            lock.commit();
            await().atMost(Duration.ofSeconds(10)).until(() -> presence.pendingOffline() == 0);
            var d = user.get("/v1/devices/" + id).json();
            assertThat(d.get("online").asBoolean()).isFalse();
            assertThat(d.get("last_disconnect_reason").asText()).isNotBlank();
            // The "offline" event follows the retried write, as it follows a write that succeeds at once.
            SseStream.Received offline = events.next(Duration.ofSeconds(10));
            assertThat(offline.name()).isEqualTo("spark/status");
            assertThat(offline.data().get("data").asText()).isEqualTo("offline");
        }
    }

    @Test
    void aDeviceBackBeforeTheRetryStaysOnline() throws Exception {
        Api user = cloud.newUser();
        TestCloud.Credentials c = cloud.registerDevice();
        TestDevice device = TestDevice.connect(cloud, c);
        assertThat(user.postJson("/v1/devices", Map.of("id", c.id())).status()).isEqualTo(200);
        String id = c.id();
        Presence presence = cloud.boson().presence();
        try (Handle lock = cloud.boson().database().jdbi().open()) {
            lock.begin();
            lock.createUpdate("UPDATE devices SET notes = notes WHERE id = ?").bind(0, id).execute();
            device.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> cancelWaitingMarkOffline(cloud) > 0);
            await().atMost(Duration.ofSeconds(10)).until(() -> presence.pendingOffline() == 1);
            lock.commit();
            // Back on a new session before the next flush could write the old one's end: the old end
            // must not mark the new session offline. (The flush interval is 200 ms: the reconnect may
            // also come after it, which ends the same way.)
            TestDevice again = TestDevice.connect(cloud, c);
            await().atMost(Duration.ofSeconds(10)).until(() -> presence.pendingOffline() == 0);
            assertThat(user.get("/v1/devices/" + id).json().get("online").asBoolean()).isTrue();
            again.close();
        }
    }

    /** Cancels the statements marking a device offline that wait for a lock; returns how many. */
    private static int cancelWaitingMarkOffline(TestCloud cloud) {
        return cloud.boson().database().jdbi().withHandle(h -> {
            if (cloud.boson().database().postgres()) {
                return h.createQuery("""
                                SELECT COUNT(*) FROM (SELECT pg_cancel_backend(pid) FROM pg_stat_activity
                                WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE ?) c""")
                        .bind(0, MARK_OFFLINE).mapTo(Integer.class).one();
            }
            return h.createQuery("""
                            SELECT COUNT(*) FROM (SELECT CANCEL_SESSION(SESSION_ID) FROM INFORMATION_SCHEMA.SESSIONS
                            WHERE EXECUTING_STATEMENT LIKE ? AND SESSION_ID <> SESSION_ID()) c""")
                    .bind(0, MARK_OFFLINE).mapTo(Integer.class).one();
        });
    }
}
