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
}
