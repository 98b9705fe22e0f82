package io.boson.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.boson.Boson;
import io.boson.devices.DeviceJson;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The codec writes events with Jackson's streaming generator, field by field. What it writes must be
 * what the object mapper wrote before (the bus format, read by nodes of other versions on a cluster,
 * and the SSE frame clients parse), byte for byte, for every shape of event.
 */
class EventCodecTest {

    final ObjectMapper json = Boson.jsonMapper();
    final EventCodec codec = new EventCodec(json);

    static final List<Event> EVENTS = List.of(
            new Event("temp", "21.5", false, 60, 1_764_500_000_123L, "0123456789abcdef01234567", "p:42", 42, "owner@example.com"),
            new Event("private/x", null, false, 0, 0L, "api", "u:7", null, null),
            new Event("bin", "AAEC/w==", true, 86_400, 1L, "0123456789abcdef01234567", "u:7", null, "someone"),
            new Event("ünïcødé \"quoted\" \\ name", "line\nbreak\ttab \u0001 \u2028 😀 </script>", false, 60, Long.MAX_VALUE,
                    "0123456789abcdef01234567", "p:1", Integer.MAX_VALUE, "ü@example.com"),
            new Event("", "", false, -1, -5L, "", "", 0, ""));

    @Test
    void encodesAsTheObjectMapperDid() throws Exception {
        for (Event e : EVENTS) {
            assertThat(new String(codec.encode(e), StandardCharsets.UTF_8)).as(e.name())
                    .isEqualTo(new String(json.writeValueAsBytes(e), StandardCharsets.UTF_8));
            assertThat(json.readValue(codec.encode(e), Event.class)).isEqualTo(e);
        }
    }

    @Test
    void rendersTheSseFrameAsTheObjectMapperDid() throws Exception {
        for (Event e : EVENTS) {
            assertThat(new String(codec.frame(e), StandardCharsets.UTF_8)).as(e.name()).isEqualTo(mapperFrame(e));
        }
    }

    @Test
    void anIdSplicedIntoTheEncodingIsReadBack() {
        Event e = EVENTS.get(0);
        byte[] wire = codec.withId(e, codec.encode(e), 123_456_789L);
        EventCodec other = new EventCodec(json); // another node: parses the bytes
        EventCodec.Decoded d = other.decode(wire);
        assertThat(d.id()).isEqualTo(123_456_789L);
        assertThat(d.event()).isEqualTo(e);
        assertThat(d.sseFrame()).isEqualTo(codec.frame(e));
    }

    /** How the frame was rendered before: a map through the object mapper. */
    private String mapperFrame(Event e) throws Exception {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("data", e.data());
        data.put("ttl", e.ttl());
        data.put("published_at", DeviceJson.iso(e.publishedAt()));
        data.put("coreid", e.coreid());
        if (e.productId() != null) data.put("productID", e.productId());
        if (e.base64()) data.put("data_encoding", "base64");
        return "event: " + e.name() + "\ndata: " + json.writeValueAsString(data) + "\n\n";
    }
}
