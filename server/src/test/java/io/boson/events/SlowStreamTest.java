package io.boson.events;

import io.boson.testing.Api;
import io.boson.testing.CloudTest;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An event stream whose reader falls behind loses what does not fit its queue, and is told how
 * much: a {@code :dropped N} comment before the next event it gets. Every event is either received
 * or counted.
 */
class SlowStreamTest extends CloudTest {

    private static final String KIB = "y".repeat(1000);

    @Test
    void aStreamThatFallsBehindIsToldHowManyEventsItLost() throws Exception {
        Api user = cloud.newUser();
        URI base = URI.create(cloud.baseUrl());
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(4096);
            s.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5000);
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            // HTTP/1.0: the body comes as it is, not in chunks that could split a line.
            out.write(("GET /v1/devices/events/flood HTTP/1.0\r\nHost: " + base.getHost() + "\r\nAuthorization: Bearer "
                    + user.token() + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            // Read up to the stream's opening comment, then stop reading while the events pour in.
            for (String line = in.readLine(); line != null && !line.startsWith(":ok"); line = in.readLine()) {
                assertThat(line).doesNotStartWith("HTTP/1.1 4");
            }
            long baseline = cloud.boson().eventStreams().dropped();
            int published = 0;
            while (cloud.boson().eventStreams().dropped() - baseline < 100 && published < 20_000) {
                for (int i = 0; i < 200; i++, published++) {
                    assertThat(user.postJson("/v1/devices/events", Map.of("name", "flood", "data", KIB)).status()).isEqualTo(200);
                }
            }
            long droppedHere = cloud.boson().eventStreams().dropped() - baseline;
            assertThat(droppedHere).as("dropped after %d events", published).isGreaterThanOrEqualTo(100);
            // Now read everything: events received plus the last count announced make up what was published.
            long received = 0;
            long announced = 0;
            boolean ended = false;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.startsWith(":dropped ")) announced = Long.parseLong(line.substring(9).trim());
                if (line.equals("event: flood")) received++;
                if (line.equals(":") && !ended) {
                    // A keep-alive: the stream has caught up, so the last event has room in its queue.
                    user.postJson("/v1/devices/events", Map.of("name", "flood-end", "data", ""));
                    ended = true;
                }
                if (line.equals("event: flood-end")) break;
            }
            assertThat(announced).isEqualTo(droppedHere);
            assertThat(received + announced).isEqualTo(published);
        }
    }

    /**
     * The device's own event loop writes its events to the streams now: a stream that stops reading
     * must cost it nothing. Every publish of the device is acknowledged (a blocked loop would leave
     * its PUBACK unsent), a stream that reads gets every event in order, and the stuck one loses.
     */
    @Test
    void aStreamThatStopsReadingHoldsUpNeitherTheDeviceNorAnotherStream() throws Exception {
        Api user = cloud.newUser();
        URI base = URI.create(cloud.baseUrl());
        try (Socket stuck = stuckStream(base, user.token());
             io.boson.testing.TestDevice device = cloud.claimedDevice(user);
             io.boson.testing.SseStream reader = io.boson.testing.SseStream.open(cloud.baseUrl(), "/v1/devices/events/flood",
                     user.token())) {
            long baseline = cloud.boson().eventStreams().dropped();
            int published = 0;
            while (cloud.boson().eventStreams().dropped() - baseline < 100 && published < 20_000) {
                for (int i = 0; i < 8; i++, published++) { // the device's burst; then the clock refills it
                    assertThat(device.publish("flood", published + " " + KIB))
                            .isEqualTo(com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode.SUCCESS);
                }
                cloud.clock.advance(java.time.Duration.ofSeconds(3));
            }
            assertThat(cloud.boson().eventStreams().dropped() - baseline).as("lost by the stuck stream after %d events", published)
                    .isGreaterThanOrEqualTo(100);
            device.publish("flood-end", "");
            java.util.List<io.boson.testing.SseStream.Received> got = reader.upTo("flood-end", java.time.Duration.ofSeconds(20));
            java.util.List<String> numbers = got.stream().filter(e -> e.name().equals("flood"))
                    .map(e -> e.data().get("data").asText().split(" ")[0]).toList();
            assertThat(numbers).hasSize(published);
            for (int i = 0; i < published; i++) assertThat(numbers.get(i)).isEqualTo(Integer.toString(i));
        }
    }

    /** A stream opened on a raw socket with a small receive buffer, read up to its opening comment, then never again. */
    private static Socket stuckStream(URI base, String token) throws Exception {
        Socket s = new Socket();
        s.setReceiveBufferSize(4096);
        s.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5000);
        s.setSoTimeout(20_000);
        OutputStream out = s.getOutputStream();
        out.write(("GET /v1/devices/events/flood HTTP/1.0\r\nHost: " + base.getHost() + "\r\nAuthorization: Bearer "
                + token + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        java.io.InputStream in = s.getInputStream();
        StringBuilder seen = new StringBuilder();
        while (seen.indexOf(":ok") < 0) { // byte by byte: nothing after the comment is taken off the socket
            int b = in.read();
            if (b < 0) throw new AssertionError("stream closed before it opened: " + seen);
            seen.append((char) b);
        }
        return s;
    }
}
