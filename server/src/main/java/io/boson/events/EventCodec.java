package io.boson.events;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.boson.devices.DeviceJson;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Encodes events for the bus and renders them for SSE. Every subscriber of an event gets the same
 * byte array, on the thread that delivers it (the publisher's own on one node, a NATS dispatcher on
 * a cluster), so each thread remembers the last event it encoded or decoded: on one node the event
 * is never parsed back from the bytes it was just written to, and a fan-out to many streams decodes
 * and renders once, not once per stream. The SSE frame is rendered on first use: an event no
 * stream wants costs no rendering.
 */
public final class EventCodec {

    private final ObjectMapper json;
    private final ThreadLocal<Decoded> last = new ThreadLocal<>();

    public EventCodec(ObjectMapper json) {
        this.json = json;
    }

    /** An event with its SSE frame, rendered once, when first asked for. */
    public static final class Decoded {
        private final byte[] wire;
        private final Event event;
        private final long id;
        private final EventCodec codec;
        private volatile byte[] sseFrame;

        /** @param id the event's history id, 0 when history is off (see {@link EventIds}) */
        public Decoded(byte[] wire, Event event, byte[] sseFrame, long id) {
            this(wire, event, sseFrame, id, null);
        }

        private Decoded(byte[] wire, Event event, byte[] sseFrame, long id, EventCodec codec) {
            this.wire = wire;
            this.event = event;
            this.sseFrame = sseFrame;
            this.id = id;
            this.codec = codec;
        }

        public byte[] wire() {
            return wire;
        }

        public Event event() {
            return event;
        }

        public long id() {
            return id;
        }

        public byte[] sseFrame() {
            byte[] f = sseFrame;
            if (f == null) sseFrame = f = codec.frame(event); // two streams may both render it: same bytes
            return f;
        }
    }

    private static final byte[] ID_PREFIX = "{\"id\":".getBytes(StandardCharsets.US_ASCII);

    /**
     * The event as JSON, written field by field with Jackson's streaming generator: the same bytes
     * as the object mapper writes for the record ({@code EventCodecTest} compares them), without its
     * reflective accessor calls, which were a fifth of the gateway threads' samples in the fan-in.
     */
    public byte[] encode(Event event) {
        try (ByteArrayBuilder out = new ByteArrayBuilder(256); JsonGenerator g = json.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("name", event.name());
            g.writeStringField("data", event.data());
            g.writeBooleanField("base64", event.base64());
            g.writeNumberField("ttl", event.ttl());
            g.writeNumberField("publishedAt", event.publishedAt());
            g.writeStringField("coreid", event.coreid());
            g.writeStringField("scope", event.scope());
            g.writeFieldName("productId");
            if (event.productId() == null) g.writeNull();
            else g.writeNumber(event.productId());
            g.writeStringField("deviceOwner", event.deviceOwner());
            g.writeEndObject();
            g.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The event with its id as the first property, {@code {"id":N,...}}, so that a decode reads the
     * id without a second parse; readers that do not know ids ignore the property. {@code plain} is
     * {@link #encode(Event)} of it, written before the id is known (outside the scope's lock, see
     * EventService); the id is spliced in.
     */
    public byte[] withId(Event event, byte[] plain, long id) {
        byte[] out = withId(plain, id);
        last.set(new Decoded(out, event, null, id, this));
        return out;
    }

    private static byte[] withId(byte[] plain, long id) {
        if (id == 0) return plain;
        byte[] digits = (Long.toString(id) + ",").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[ID_PREFIX.length + digits.length + plain.length - 1];
        System.arraycopy(ID_PREFIX, 0, out, 0, ID_PREFIX.length);
        System.arraycopy(digits, 0, out, ID_PREFIX.length, digits.length);
        System.arraycopy(plain, 1, out, ID_PREFIX.length + digits.length, plain.length - 1);
        return out;
    }

    private static long idOf(byte[] wire) {
        if (wire.length <= ID_PREFIX.length) return 0;
        for (int i = 0; i < ID_PREFIX.length; i++) if (wire[i] != ID_PREFIX[i]) return 0;
        long id = 0;
        for (int i = ID_PREFIX.length; i < wire.length && wire[i] >= '0' && wire[i] <= '9'; i++) id = id * 10 + (wire[i] - '0');
        return id;
    }


    public Decoded decode(byte[] wire) {
        Decoded d = last.get();
        if (d != null && d.wire == wire) return d;
        try {
            Event e = json.readValue(wire, Event.class);
            d = new Decoded(wire, e, null, idOf(wire), this);
            last.set(d);
            return d;
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Particle's wire format: an {@code event:} line, then the JSON {@code data:} line, then a blank
     * line. The JSON object is {@code data, ttl, published_at, coreid}, then {@code productID} for a
     * product's event and {@code data_encoding} for a binary one. Also the frame of an event read from history.
     */
    byte[] frame(Event e) {
        // Through characters, as the object mapper's writeValueAsString did: a character outside the
        // Basic Multilingual Plane (an emoji) stays one UTF-8 sequence, where Jackson's byte generator
        // would escape it as a surrogate pair.
        java.io.StringWriter out = new java.io.StringWriter(160);
        out.append("event: ").append(e.name()).append("\ndata: ");
        try (JsonGenerator g = json.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("data", e.data());
            g.writeNumberField("ttl", e.ttl());
            g.writeStringField("published_at", DeviceJson.iso(e.publishedAt()));
            g.writeStringField("coreid", e.coreid());
            if (e.productId() != null) g.writeNumberField("productID", e.productId());
            if (e.base64()) g.writeStringField("data_encoding", "base64");
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        out.append("\n\n");
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

}
