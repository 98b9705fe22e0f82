package io.boson.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.boson.devices.DeviceJson;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Encodes events for the bus and renders them for SSE. On one node every subscriber of an event
 * gets the same byte array, so the last decode is remembered: a fan-out to many streams decodes
 * and renders once, not once per stream.
 */
public final class EventCodec {

    private final ObjectMapper json;
    private volatile Decoded last;

    public EventCodec(ObjectMapper json) {
        this.json = json;
    }

    /** An event with its SSE frame, rendered once. */
    public record Decoded(byte[] wire, Event event, byte[] sseFrame) {
    }

    public byte[] encode(Event event) {
        try {
            return json.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Decoded decode(byte[] wire) {
        Decoded d = last;
        if (d != null && d.wire == wire) return d;
        try {
            Event e = json.readValue(wire, Event.class);
            d = new Decoded(wire, e, sseFrame(e));
            last = d;
            return d;
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** Particle's wire format: an {@code event:} line, then the JSON {@code data:} line, then a blank line. */
    private byte[] sseFrame(Event e) throws JsonProcessingException {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("data", e.data());
        data.put("ttl", e.ttl());
        data.put("published_at", DeviceJson.iso(e.publishedAt()));
        data.put("coreid", e.coreid());
        if (e.productId() != null) data.put("productID", e.productId());
        if (e.base64()) data.put("data_encoding", "base64");
        String frame = "event: " + e.name() + "\ndata: " + json.writeValueAsString(data) + "\n\n";
        return frame.getBytes(StandardCharsets.UTF_8);
    }
}
