package io.boson.gateway;

import java.util.regex.Pattern;

/** The topic rules of the device protocol (sections 2-4): what a device may publish and subscribe to. */
final class Topics {

    static final int MAX_EVENT_BYTES = 1024;
    private static final Pattern EVENT_NAME = Pattern.compile("[A-Za-z0-9_\\-/]{1,64}");
    private static final Pattern RID = Pattern.compile("[A-Za-z0-9]{1,16}");

    private Topics() {
    }

    /** Event names: 1-64 of {@code A-Z a-z 0-9 _ - /}, not starting with "spark" or "particle" in any case. */
    static boolean validEventName(String name) {
        if (!EVENT_NAME.matcher(name).matches()) return false;
        String lower = name.toLowerCase();
        return !lower.startsWith("spark") && !lower.startsWith("particle");
    }

    static boolean validRid(String rid) {
        return RID.matcher(rid).matches();
    }

    /** Devices may only subscribe below {@code c/}; the filter must also be a well-formed MQTT filter. */
    static boolean validSubscription(String filter) {
        if (!filter.startsWith("c/") || filter.length() > 200) return false;
        String[] levels = filter.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            String l = levels[i];
            if (l.equals("#")) {
                if (i != levels.length - 1) return false;
            } else if (!l.equals("+") && (l.contains("#") || l.contains("+"))) {
                return false;
            }
        }
        return true;
    }

    /** Standard MQTT filter matching over '/' levels with '+' and '#'. */
    static boolean mqttMatches(String filter, String topic) {
        String[] f = filter.split("/", -1);
        String[] t = topic.split("/", -1);
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("#")) return true;
            if (i >= t.length) return false;
            if (!f[i].equals("+") && !f[i].equals(t[i])) return false;
        }
        return f.length == t.length;
    }

    /**
     * Whether a device subscription receives event {@code name}: an MQTT match of {@code c/e/{name}},
     * or Particle's prefix rule for a wildcard-free {@code c/e/{prefix}}.
     */
    static boolean eventMatches(String filter, String name) {
        if (filter.startsWith("c/e/") && filter.indexOf('+') < 0 && filter.indexOf('#') < 0) {
            return name.startsWith(filter.substring(4));
        }
        return mqttMatches(filter, "c/e/" + name);
    }

    /** Whether a subscription can receive any event at all (it could match some {@code c/e/...}). */
    static boolean couldMatchEvents(String filter) {
        String[] levels = filter.split("/", 3);
        if (levels.length < 2) return false;
        return levels[1].equals("#") || ((levels[1].equals("+") || levels[1].equals("e")) && levels.length == 3);
    }
}
