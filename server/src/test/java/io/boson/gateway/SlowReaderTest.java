package io.boson.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.boson.testing.Api;
import io.boson.testing.CloudTest;
import io.boson.testing.SseStream;
import io.boson.testing.TestCloud;
import io.boson.testing.TestDevice;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A device that stops reading (issue: 1,000 such devices made the server buffer past 1 GB): what
 * the cloud owes it is bounded by its connection's buffer, the rest is dropped and counted, the
 * devices and streams it shares a scope with, and other tenants, are served as before, and a device
 * that stays stuck is disconnected.
 */
class SlowReaderTest extends CloudTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String KIB = "x".repeat(1000);

    @Test
    void aDeviceThatStopsReadingIsBoundedCountedAndFinallyDisconnected() throws Exception {
        Api owner = cloud.newUser();
        Api otherTenant = cloud.newUser();
        TestCloud.Credentials c = cloud.registerDevice();
        try (Socket stuck = connectAndStopReading(c);
             TestDevice neighbour = cloud.claimedDevice(owner);
             TestDevice elsewhere = cloud.claimedDevice(otherTenant);
             SseStream ownerStream = SseStream.open(cloud.baseUrl(), "/v1/devices/events/flood", owner.token())) {
            assertThat(owner.postJson("/v1/devices", Map.of("id", c.id())).status()).isEqualTo(200);
            await().atMost(WAIT).until(() -> owner.get("/v1/devices/" + c.id()).json().path("functions").size() == 1);

            // The owner's scope floods: every event is owed to the stuck device, which reads none.
            int published = 0;
            long dropped = 0;
            while (published < 20_000 && dropped < 500) {
                for (int i = 0; i < 250; i++, published++) {
                    assertThat(owner.postJson("/v1/devices/events", Map.of("name", "flood", "data", KIB)).status())
                            .isEqualTo(200);
                }
                dropped = droppedUnread(owner, c.id());
            }
            assertThat(dropped).as("dropped after %d events", published).isGreaterThanOrEqualTo(500);
            // What was not dropped fits in the kernel's socket buffers plus the connection's bound.
            long kept = published - dropped;
            assertThat(kept * KIB.length()).as("bytes owed to the stuck device").isLessThan(8L << 20);

            // Its neighbour in the same scope got every event, and the owner's stream too.
            int expected = published;
            await().atMost(WAIT).until(() -> neighbour.receivedTopics("c/e/flood").size() == expected);
            owner.postJson("/v1/devices/events", Map.of("name", "flood-end", "data", ""));
            assertThat(ownerStream.upTo("flood-end", WAIT).stream().filter(e -> e.name().equals("flood")).count())
                    .isEqualTo(expected);

            // Another tenant is served as usual.
            otherTenant.postJson("/v1/devices/events", Map.of("name", "hello", "data", "there"));
            assertThat(new String(elsewhere.next("c/e/hello", WAIT).getPayloadAsBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("there");

            // A request to the stuck device fails at once with a reason instead of queueing.
            Api.Response call = owner.postJson("/v1/devices/" + c.id() + "/led", Map.of("args", "on"));
            assertThat(call.status()).isEqualTo(400);
            assertThat(call.json().path("error").asText()).isEqualTo(DeviceSession.NOT_READING);

            // Still stuck after the grace: the next message for it disconnects it.
            cloud.clock.advance(DeviceSession.SLOW_READER_GRACE.plusSeconds(1));
            owner.postJson("/v1/devices/events", Map.of("name", "flood", "data", "last"));
            await().atMost(WAIT).until(() -> !owner.get("/v1/devices/" + c.id()).json().path("online").asBoolean());
            JsonNode gone = owner.get("/v1/devices/" + c.id()).json();
            assertThat(gone.path("last_disconnect_reason").asText()).isEqualTo("did not read what the cloud sent it");
            assertThat(neighbour.connected()).isTrue();
        }
    }

    private static long droppedUnread(Api owner, String id) {
        return owner.get("/v1/diagnostics/" + id + "/last").json().path("diagnostics").path("payload")
                .path("dropped_unread").asLong();
    }

    /** An MQTT 3.1.1 device on a raw socket: connects, subscribes to everything, then never reads again. */
    private static Socket connectAndStopReading(TestCloud.Credentials c) throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(4096);
        s.connect(new java.net.InetSocketAddress("127.0.0.1", cloud.mqttPort()), 5000);
        s.setSoTimeout(5000);
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        ByteArrayOutputStream connect = new ByteArrayOutputStream();
        connect.write(new byte[]{0, 4, 'M', 'Q', 'T', 'T', 4, (byte) 0xC2, 0, 60});
        utf8(connect, c.id());
        utf8(connect, c.id());
        utf8(connect, c.secret());
        packet(out, 0x10, connect.toByteArray());
        assertThat(in.readNBytes(4)).as("CONNACK").containsExactly(0x20, 2, 0, 0);
        ByteArrayOutputStream subscribe = new ByteArrayOutputStream();
        subscribe.write(new byte[]{0, 1});
        utf8(subscribe, "c/#");
        subscribe.write(0);
        packet(out, 0x82, subscribe.toByteArray());
        assertThat(in.readNBytes(5)).as("SUBACK").containsExactly(0x90, 3, 0, 1, 0);
        ByteArrayOutputStream describe = new ByteArrayOutputStream();
        utf8(describe, "d");
        describe.writeBytes("{\"f\":[\"led\"],\"v\":{},\"platform_id\":13}".getBytes(StandardCharsets.UTF_8));
        packet(out, 0x30, describe.toByteArray());
        return s;
    }

    private static void utf8(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(b.length >> 8);
        out.write(b.length & 0xFF);
        out.writeBytes(b);
    }

    private static void packet(OutputStream out, int type, byte[] body) throws IOException {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(type);
        int len = body.length;
        do {
            int digit = len % 128;
            len /= 128;
            p.write(len > 0 ? digit | 0x80 : digit);
        } while (len > 0);
        p.writeBytes(body);
        out.write(p.toByteArray());
        out.flush();
    }
}
