package io.boson.gateway;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import io.boson.testing.TestCloud;
import io.boson.testing.TestDevice;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A node holds at most its limit of device connections (each is an open file the API and the
 * database also need): the next CONNECT hears "server busy"; a connection that sends no CONNECT is
 * closed after the connect timeout, so idle sockets cannot hold the node's files.
 */
class ConnectionLimitTest {

    static final int LIMIT = 2;
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    static TestCloud cloud;

    @BeforeAll
    static void start() {
        cloud = TestCloud.start(c -> c.deviceConnections(new ConnectionLimit(LIMIT, CONNECT_TIMEOUT)));
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    @Test
    void theConnectionPastTheLimitIsRefusedAsServerBusyUntilOneCloses() throws Exception {
        TestCloud.Credentials third = cloud.registerDevice();
        try (TestDevice one = TestDevice.connect(cloud, cloud.registerDevice());
             TestDevice two = TestDevice.connect(cloud, cloud.registerDevice())) {
            assertThat(one.connected() && two.connected()).isTrue();
            assertRefusedBusy(third);
            one.close();
            // Its file is given back when its connection closes: the next device gets in.
            await().atMost(Duration.ofSeconds(10)).until(() -> tryConnect(third));
        }
    }

    @Test
    void aConnectionThatSendsNoConnectIsClosedAndGivesItsPlaceBack() throws Exception {
        TestCloud.Credentials device = cloud.registerDevice();
        try (Socket idle1 = new Socket("127.0.0.1", cloud.mqttPort());
             Socket idle2 = new Socket("127.0.0.1", cloud.mqttPort())) {
            // Two silent sockets hold the node's two places...
            await().atMost(Duration.ofSeconds(5)).until(() -> !tryConnect(device));
            assertRefusedBusy(device);
            // ...until the connect timeout closes them (the server ends the stream: read gives -1).
            idle1.setSoTimeout(10_000);
            idle2.setSoTimeout(10_000);
            assertThat(readToEnd(idle1.getInputStream())).isEqualTo(-1);
            assertThat(readToEnd(idle2.getInputStream())).isEqualTo(-1);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> tryConnect(device));
    }

    private static int readToEnd(InputStream in) throws Exception {
        return in.read();
    }

    private static void assertRefusedBusy(TestCloud.Credentials c) {
        Mqtt5AsyncClient client = client(c);
        assertThatThrownBy(() -> connect(client, c).get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(Mqtt5ConnAckException.class)
                .satisfies(e -> assertThat(((Mqtt5ConnAckException) e).getMqttMessage().getReasonCode())
                        .isEqualTo(Mqtt5ConnAckReasonCode.SERVER_BUSY));
    }

    /** Connects and disconnects at once; false when refused. */
    private static boolean tryConnect(TestCloud.Credentials c) {
        Mqtt5AsyncClient client = client(c);
        try {
            connect(client, c).get(5, TimeUnit.SECONDS);
            client.disconnect().get(5, TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private static Mqtt5AsyncClient client(TestCloud.Credentials c) {
        return MqttClient.builder().useMqttVersion5().identifier(c.id()).serverHost("127.0.0.1")
                .serverPort(cloud.mqttPort()).buildAsync();
    }

    private static CompletableFuture<?> connect(Mqtt5AsyncClient client, TestCloud.Credentials c) {
        return client.connectWith().simpleAuth().username(c.id()).password(c.secret().getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth().send();
    }
}
