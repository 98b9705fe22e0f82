package io.boson.gateway;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import io.boson.testing.TestCloud;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A reconnect storm queues CONNECTs behind the gateway's bounded database work. One that waited
 * longer than the connect timeout is answered "server busy" before it is authenticated or marked
 * online (its client may be long gone: the connection reads nothing while it waits), so the backlog
 * drains instead of serving the dead; one that waited less is served as usual.
 */
class ConnectBacklogTest {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static TestCloud cloud;

    @BeforeAll
    static void start() {
        cloud = TestCloud.start(c -> c.deviceConnections(new ConnectionLimit(0, CONNECT_TIMEOUT)));
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    @Test
    void aConnectThatWaitedPastTheTimeoutIsTurnedAwayBusyAndNotMarkedOnline() throws Exception {
        TestCloud.Credentials device = cloud.registerDevice();
        CompletableFuture<Mqtt5ConnAck> connect = connectWhileBusy(client(device), device, CONNECT_TIMEOUT.plusSeconds(1));
        assertThatThrownBy(() -> connect.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(Mqtt5ConnAckException.class)
                .satisfies(e -> assertThat(((Mqtt5ConnAckException) e).getMqttMessage().getReasonCode())
                        .isEqualTo(Mqtt5ConnAckReasonCode.SERVER_BUSY));
        assertThat(new io.boson.devices.DeviceRepository(cloud.boson().database().jdbi()).find(device.id()).orElseThrow().online())
                .as("never marked online").isFalse();
        // The node is fine: the device's next attempt, not held up, gets in.
        Mqtt5AsyncClient again = client(device);
        assertThat(connect(again, device).get(10, TimeUnit.SECONDS).getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
        again.disconnect().get(5, TimeUnit.SECONDS);
    }

    @Test
    void aConnectThatWaitedLessThanTheTimeoutIsServed() throws Exception {
        TestCloud.Credentials device = cloud.registerDevice();
        Mqtt5AsyncClient client = client(device);
        CompletableFuture<Mqtt5ConnAck> connect = connectWhileBusy(client, device, CONNECT_TIMEOUT.minusSeconds(1));
        assertThat(connect.get(10, TimeUnit.SECONDS).getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
        client.disconnect().get(5, TimeUnit.SECONDS);
    }

    /** Sends a CONNECT while the gateway's database work is busy, and lets the work go after {@code waited} on the clock. */
    private static CompletableFuture<Mqtt5ConnAck> connectWhileBusy(Mqtt5AsyncClient client, TestCloud.Credentials device,
                                                                   Duration waited) throws InterruptedException {
        try (Busy busy = new Busy()) {
            CompletableFuture<Mqtt5ConnAck> connect = connect(client, device);
            await().atMost(Duration.ofSeconds(10)).until(() -> busy.work.waiting() == 1);
            cloud.clock.advance(waited);
            return connect;
        }
    }

    /** Holds every permit of the gateway's database work until closed. */
    static final class Busy implements AutoCloseable {
        final DatabaseWork work = cloud.boson().gateway().databaseWork();
        final CountDownLatch release = new CountDownLatch(1);

        Busy() throws InterruptedException {
            CountDownLatch holding = new CountDownLatch(DatabaseWork.DEFAULT_PERMITS);
            for (int i = 0; i < DatabaseWork.DEFAULT_PERMITS; i++) {
                work.execute(() -> {
                    holding.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
            assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
        }

        @Override
        public void close() {
            release.countDown();
        }
    }

    private static Mqtt5AsyncClient client(TestCloud.Credentials c) {
        return MqttClient.builder().useMqttVersion5().identifier(c.id()).serverHost("127.0.0.1")
                .serverPort(cloud.mqttPort()).buildAsync();
    }

    private static CompletableFuture<Mqtt5ConnAck> connect(Mqtt5AsyncClient client, TestCloud.Credentials c) {
        return client.connectWith().simpleAuth().username(c.id()).password(c.secret().getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth().send();
    }
}
