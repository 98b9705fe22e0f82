package io.boson.device;

/**
 * A device's event subscription, matched the way the cloud matches it (protocol section 4): a
 * filter with wildcards is a standard MQTT filter over the event name; one without wildcards is a
 * Particle-style prefix. The device re-checks delivered events itself because a prefix match
 * ({@code temp} receiving {@code temperature}) is not an MQTT match, so the MQTT client's own
 * routing could not tell which handler an event belongs to.
 */
record EventFilter(String filter) {

    EventFilter {
        validate(filter);
    }

    /** The MQTT filter the device subscribes to. */
    String topicFilter() {
        return CloudMessage.EVENT_PREFIX + filter;
    }

    boolean matches(String eventName) {
        if (filter.indexOf('+') < 0 && filter.indexOf('#') < 0) {
            return eventName.startsWith(filter);
        }
        String[] f = filter.split("/", -1);
        String[] n = eventName.split("/", -1);
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("#")) {
                return true; // also matches the parent level: "a/#" matches "a"
            }
            if (i >= n.length || !(f[i].equals("+") || f[i].equals(n[i]))) {
                return false;
            }
        }
        return f.length == n.length;
    }

    private static void validate(String filter) {
        if (filter == null || filter.isEmpty()) {
            throw new IllegalArgumentException("event filter must not be empty");
        }
        String[] levels = filter.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            boolean wildcard = level.equals("+") || level.equals("#");
            if (!wildcard && (level.contains("+") || level.contains("#"))) {
                throw new IllegalArgumentException("a wildcard must fill a whole level: " + filter);
            }
            if (level.equals("#") && i != levels.length - 1) {
                throw new IllegalArgumentException("'#' must be the last level: " + filter);
            }
        }
    }
}
