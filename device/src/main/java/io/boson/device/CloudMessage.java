package io.boson.device;

/**
 * What a topic published by the cloud means (protocol section 3). Parsing is kept apart from
 * acting so that every {@code c/…} topic is interpreted in exactly one place, and a new kind of
 * message (OTA today, more later) is one new record and one new case in the device's dispatch.
 */
sealed interface CloudMessage {

    record FunctionCall(String function, String rid) implements CloudMessage {}

    record VariableRead(String variable, String rid) implements CloudMessage {}

    record Ping(String rid) implements CloudMessage {}

    /** An event from the device's scope; the name may contain {@code /}. */
    record Event(String name) implements CloudMessage {}

    record FirmwareOffer(String job) implements CloudMessage {}

    record FirmwareChunk(String job, long offset) implements CloudMessage {}

    record VitalsRequest() implements CloudMessage {}

    record Signal() implements CloudMessage {}

    /** Anything this SDK does not understand; a newer cloud may send topics an older device ignores. */
    record Unknown(String topic) implements CloudMessage {}

    String EVENT_PREFIX = "c/e/";

    static CloudMessage parse(String topic) {
        // Event names may contain '/' and even empty levels, so events are recognised by prefix.
        if (topic.startsWith(EVENT_PREFIX)) {
            return topic.length() > EVENT_PREFIX.length()
                    ? new Event(topic.substring(EVENT_PREFIX.length()))
                    : new Unknown(topic);
        }
        String[] p = topic.split("/", -1);
        if (p.length < 2 || !p[0].equals("c") || hasEmptySegment(p)) {
            return new Unknown(topic);
        }
        return switch (p[1]) {
            case "f" -> p.length == 4 ? new FunctionCall(p[2], p[3]) : new Unknown(topic);
            case "v" -> p.length == 4 ? new VariableRead(p[2], p[3]) : new Unknown(topic);
            case "p" -> p.length == 3 ? new Ping(p[2]) : new Unknown(topic);
            case "o" -> parseFirmware(p, topic);
            case "vitals" -> p.length == 2 ? new VitalsRequest() : new Unknown(topic);
            case "signal" -> p.length == 2 ? new Signal() : new Unknown(topic);
            default -> new Unknown(topic);
        };
    }

    private static CloudMessage parseFirmware(String[] p, String topic) {
        if (p.length == 3) {
            return new FirmwareOffer(p[2]);
        }
        if (p.length == 4) {
            try {
                long offset = Long.parseLong(p[3]);
                return offset >= 0 ? new FirmwareChunk(p[2], offset) : new Unknown(topic);
            } catch (NumberFormatException e) {
                return new Unknown(topic);
            }
        }
        return new Unknown(topic);
    }

    // Function and variable names, rids and jobs are never empty; an empty level means a topic we
    // do not understand, not an empty name.
    private static boolean hasEmptySegment(String[] parts) {
        for (String part : parts) {
            if (part.isEmpty()) {
                return true;
            }
        }
        return false;
    }
}
