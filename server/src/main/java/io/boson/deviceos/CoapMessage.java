package io.boson.deviceos;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A CoAP message (RFC 7252 section 3) as Device OS exchanges them: type, code, message id, a token of
 * at most 8 bytes, options in order and a payload. Encoding writes options sorted by number (Uri-Path,
 * 11, comes first in every message the cloud sends, as Device OS's parser requires).
 */
record CoapMessage(int type, int code, int id, byte[] token, List<Option> options, byte[] payload) {

    static final int CON = 0;
    static final int NON = 1;
    static final int ACK = 2;
    static final int RST = 3;

    static final int EMPTY = 0;
    static final int GET = 1;
    static final int POST = 2;
    static final int PUT = 3;
    static final int CREATED = 0x41;
    static final int CHANGED = 0x44;
    static final int CONTENT = 0x45;
    static final int CONTINUE = 0x5F;
    static final int BAD_REQUEST = 0x80;
    static final int NOT_FOUND = 0x84;
    static final int SERVICE_UNAVAILABLE = 0xA3;

    static final int URI_PATH = 11;
    static final int CONTENT_FORMAT = 12;
    static final int MAX_AGE = 14;
    static final int URI_QUERY = 15;
    static final int BLOCK1 = 27;
    static final int BLOCK2 = 23;

    static final byte[] NO_TOKEN = {};
    static final byte[] NO_PAYLOAD = {};

    record Option(int number, byte[] value) {
        String text() {
            return new String(value, StandardCharsets.UTF_8);
        }

        long unsigned() {
            long v = 0;
            for (byte b : value) v = (v << 8) | (b & 0xFF);
            return v;
        }
    }

    /** Malformed input. */
    static final class Malformed extends Exception {
        Malformed(String why) {
            super(why, null, false, false);
        }
    }

    static CoapMessage decode(byte[] data) throws Malformed {
        if (data.length < 4) throw new Malformed("shorter than a CoAP header");
        int b0 = data[0] & 0xFF;
        if ((b0 >> 6) != 1) throw new Malformed("not CoAP version 1");
        int type = (b0 >> 4) & 3;
        int tkl = b0 & 0xF;
        if (tkl > 8 || 4 + tkl > data.length) throw new Malformed("bad token length");
        int code = data[1] & 0xFF;
        int id = ((data[2] & 0xFF) << 8) | (data[3] & 0xFF);
        byte[] token = java.util.Arrays.copyOfRange(data, 4, 4 + tkl);
        int at = 4 + tkl;
        List<Option> options = new ArrayList<>(4);
        int number = 0;
        while (at < data.length && (data[at] & 0xFF) != 0xFF) {
            int h = data[at++] & 0xFF;
            int[] delta = {h >> 4};
            int[] length = {h & 0xF};
            at = extended(data, at, delta);
            at = extended(data, at, length);
            if (at + length[0] > data.length) throw new Malformed("option runs past the message");
            number += delta[0];
            options.add(new Option(number, java.util.Arrays.copyOfRange(data, at, at + length[0])));
            at += length[0];
        }
        byte[] payload = NO_PAYLOAD;
        if (at < data.length) {
            at++; // payload marker
            if (at == data.length) throw new Malformed("payload marker without payload");
            payload = java.util.Arrays.copyOfRange(data, at, data.length);
        }
        return new CoapMessage(type, code, id, token, options, payload);
    }

    private static int extended(byte[] data, int at, int[] v) throws Malformed {
        if (v[0] == 13) {
            if (at >= data.length) throw new Malformed("truncated option");
            v[0] = 13 + (data[at++] & 0xFF);
        } else if (v[0] == 14) {
            if (at + 1 >= data.length) throw new Malformed("truncated option");
            v[0] = 269 + (((data[at] & 0xFF) << 8) | (data[at + 1] & 0xFF));
            at += 2;
        } else if (v[0] == 15) {
            throw new Malformed("reserved option nibble");
        }
        return at;
    }

    byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 + payload.length);
        out.write(0x40 | (type << 4) | token.length);
        out.write(code);
        out.write(id >> 8);
        out.write(id & 0xFF);
        out.writeBytes(token);
        List<Option> sorted = new ArrayList<>(options);
        sorted.sort(java.util.Comparator.comparingInt(Option::number));
        int last = 0;
        for (Option o : sorted) {
            int delta = o.number() - last;
            last = o.number();
            int len = o.value().length;
            out.write((nibble(delta) << 4) | nibble(len));
            writeExtended(out, delta);
            writeExtended(out, len);
            out.writeBytes(o.value());
        }
        if (payload.length > 0) {
            out.write(0xFF);
            out.writeBytes(payload);
        }
        return out.toByteArray();
    }

    private static int nibble(int v) {
        return v < 13 ? v : v < 269 ? 13 : 14;
    }

    private static void writeExtended(ByteArrayOutputStream out, int v) {
        if (v >= 269) {
            out.write((v - 269) >> 8);
            out.write((v - 269) & 0xFF);
        } else if (v >= 13) {
            out.write(v - 13);
        }
    }

    /** The Uri-Path options, in order. */
    List<String> path() {
        List<String> p = new ArrayList<>(2);
        for (Option o : options) if (o.number() == URI_PATH) p.add(o.text());
        return p;
    }

    Option option(int number) {
        for (Option o : options) if (o.number() == number) return o;
        return null;
    }

    static Option path(String segment) {
        return new Option(URI_PATH, segment.getBytes(StandardCharsets.UTF_8));
    }

    static Option query(byte[] value) {
        return new Option(URI_QUERY, value);
    }

    static byte[] uint(long v) {
        if (v == 0) return new byte[0];
        int n = (64 - Long.numberOfLeadingZeros(v) + 7) / 8;
        byte[] out = new byte[n];
        for (int i = n - 1; i >= 0; i--) {
            out[i] = (byte) v;
            v >>>= 8;
        }
        return out;
    }

    static CoapMessage emptyAck(int id) {
        return new CoapMessage(ACK, EMPTY, id, NO_TOKEN, List.of(), NO_PAYLOAD);
    }
}
