package io.boson.firmware;

import io.boson.device.BosonDevice;
import io.boson.testing.Api;
import io.boson.testing.CloudTest;
import io.boson.testing.TestCloud;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A device that asks for firmware chunks without reading them would make the server buffer image
 * after image for it. It is disconnected instead, and other devices keep updating. Spoken with a
 * raw socket (Netty's MQTT codec) because real clients always read.
 */
class GreedyOtaTest extends CloudTest {

    @Test
    void aDeviceThatRequestsChunksWithoutReadingIsDisconnectedAndOthersStillUpdate() throws Exception {
        Api owner = cloud.newUser();
        long p = cloud.newProduct(owner, "Greedy");
        TestCloud.Credentials greedy = cloud.productDevice(owner, p);
        TestCloud.Credentials honest = cloud.productDevice(owner, p);
        Firmwares.uploaded(owner, p, 2, Firmwares.image(1 << 20, 7));
        assertThat(Firmwares.release(owner, p, 2, true, List.of(), false).status()).isEqualTo(200);

        long received = 0;
        boolean closedByServer = false;
        try (Socket socket = new Socket("127.0.0.1", cloud.mqttPort())) {
            socket.setReceiveBufferSize(64 * 1024);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            EmbeddedChannel decoder = new EmbeddedChannel(new MqttDecoder(1 << 20));
            write(out, MqttMessageBuilders.connect().clientId(greedy.id()).protocolVersion(MqttVersion.MQTT_3_1_1)
                    .hasUser(true).username(greedy.id()).hasPassword(true)
                    .password(greedy.secret().getBytes(StandardCharsets.UTF_8)).keepAlive(60).cleanSession(true).build());
            MqttMessage connack = next(in, decoder);
            assertThat(connack.variableHeader().toString()).contains(MqttConnectReturnCode.CONNECTION_ACCEPTED.name());
            write(out, MqttMessageBuilders.subscribe().messageId(1).addSubscription(MqttQoS.AT_MOST_ONCE, "c/#").build());
            next(in, decoder); // SUBACK
            write(out, publish("d", "{\"platform_id\":13,\"product_id\":" + p + ",\"product_version\":1}"));
            String job = null;
            while (job == null) {
                MqttMessage m = next(in, decoder);
                if (m instanceof MqttPublishMessage pub && pub.variableHeader().topicName().startsWith("c/o/")) {
                    job = pub.variableHeader().topicName().substring(4);
                }
            }
            // Ask for the first chunk over and over, reading nothing: 64 MiB if the server obliged.
            try {
                for (int i = 0; i < 2048; i++) write(out, publish("o/" + job + "/get", "0"));
            } catch (IOException e) {
                closedByServer = true; // the server closed while we were still asking
            }
            byte[] buf = new byte[64 * 1024];
            try {
                for (int n = in.read(buf); n >= 0; n = in.read(buf)) received += n;
                closedByServer = true;
            } catch (SocketTimeoutException e) {
                // still open after 10 s of silence: not closed
            } catch (IOException e) {
                closedByServer = true; // reset
            }
        }
        assertThat(closedByServer).as("the server ended the greedy connection").isTrue();
        assertThat(received).as("bytes the server sent before giving up").isLessThan(16L << 20);
        // The server records the end of the session just after closing it.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                owner.get("/v1/products/" + p + "/devices/" + greedy.id()).json().path("last_disconnect_reason").asText())
                .isEqualTo("message rate too high"));

        BosonDevice d = BosonDevice.builder().deviceId(honest.id()).secret(honest.secret()).host("127.0.0.1")
                .port(cloud.mqttPort()).productId((int) p).productVersion(1).build();
        try {
            d.connect().join();
            OtaTest.await("the honest device runs v2", () -> d.productVersion() == 2);
        } finally {
            d.disconnect().join();
        }
    }

    @Test
    void aDeviceThatRequestsChunksInALoopIsDisconnected() throws Exception {
        Api owner = cloud.newUser();
        long p = cloud.newProduct(owner, "Looping");
        TestCloud.Credentials c = cloud.productDevice(owner, p);
        Firmwares.uploaded(owner, p, 2, Firmwares.image(64 * 1024, 3));
        assertThat(Firmwares.release(owner, p, 2, true, List.of(), false).status()).isEqualTo(200);
        // The test clock stands still, so the bucket never refills: its burst is all the device gets.
        try (io.boson.testing.TestDevice device = io.boson.testing.TestDevice.connect(cloud, c)) {
            String job = device.next("c/o/", java.time.Duration.ofSeconds(5)).getTopic().toString().substring(4);
            int answered = 0;
            try {
                for (int i = 0; i < 300 && device.connected(); i++) {
                    device.publishRaw("o/" + job + "/get", "0".getBytes(StandardCharsets.US_ASCII));
                    answered++;
                }
            } catch (AssertionError e) {
                // the publish failed: the server has closed the connection
            }
            assertThat(answered).as("requests served before the cut").isBetween(200, 256);
            Throwable cause = device.disconnectCause().get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(cause).isInstanceOf(com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException.class);
            assertThat(((com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException) cause).getMqttMessage()
                    .getReasonCode().getCode()).isEqualTo(0x96);
        }
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                owner.get("/v1/products/" + p + "/devices/" + c.id()).json().path("last_disconnect_reason").asText())
                .isEqualTo("message rate too high"));
    }

    private static MqttPublishMessage publish(String topic, String payload) {
        return MqttMessageBuilders.publish().topicName(topic).qos(MqttQoS.AT_MOST_ONCE).retained(false)
                .payload(Unpooled.copiedBuffer(payload, StandardCharsets.UTF_8)).build();
    }

    private static void write(OutputStream out, MqttMessage m) throws IOException {
        EmbeddedChannel encoder = new EmbeddedChannel(MqttEncoder.INSTANCE);
        encoder.writeOutbound(m);
        for (ByteBuf b = encoder.readOutbound(); b != null; b = encoder.readOutbound()) {
            byte[] bytes = new byte[b.readableBytes()];
            b.readBytes(bytes);
            b.release();
            out.write(bytes);
        }
        out.flush();
    }

    private static MqttMessage next(InputStream in, EmbeddedChannel decoder) throws IOException {
        MqttMessage m = decoder.readInbound();
        byte[] buf = new byte[4096];
        while (m == null) {
            int n = in.read(buf);
            if (n < 0) throw new IOException("closed by the server");
            decoder.writeInbound(Unpooled.wrappedBuffer(buf, 0, n).copy());
            m = decoder.readInbound();
        }
        return m;
    }
}
