package io.boson.device;

import java.nio.charset.StandardCharsets;

/** An answer to a cloud request: {@code r/{rid}} on success, {@code r/{rid}/err} with a reason otherwise. */
record Reply(String topic, byte[] payload) {

    static Reply ok(String rid, String text) {
        return new Reply("r/" + rid, text.getBytes(StandardCharsets.UTF_8));
    }

    static Reply error(String rid, String reason) {
        return new Reply("r/" + rid + "/err", reason.getBytes(StandardCharsets.UTF_8));
    }

    boolean isError() {
        return topic.endsWith("/err");
    }

    String text() {
        return new String(payload, StandardCharsets.UTF_8);
    }
}
