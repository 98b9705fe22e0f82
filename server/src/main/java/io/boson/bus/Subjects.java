package io.boson.bus;

/**
 * Subject names used on the bus, and NATS-style pattern matching. Subject tokens never contain
 * dots: scopes and device IDs are made of letters and digits.
 */
public final class Subjects {

    private Subjects() {
    }

    /** Events of one scope (an account or a product), see {@link io.boson.events.Scope}. */
    public static String events(String scope) {
        return "evt." + scope;
    }

    /** The last token of a device's subjects: what the message is ({@link #deviceSubjectKind}). */
    public static final String COMMANDS = "cmd";
    public static final String TAKEOVER = "takeover";
    public static final String CHANGED = "changed";
    public static final String EDITED = "edited";
    public static final String PRESENCE = "presence";
    public static final String HOOK = "hook";
    public static final String KICK = "kick";
    public static final String FIRMWARE = "ota";

    /** Every subject of one device ({@code dev.<id>.*}): what the session holding it subscribes to, once. */
    public static String device(String deviceId) {
        return "dev." + deviceId + ".*";
    }

    /** The kind of a device subject (its last token: {@link #COMMANDS}, {@link #TAKEOVER}, …). */
    public static String deviceSubjectKind(String subject) {
        return subject.substring(subject.lastIndexOf('.') + 1);
    }

    /** Requests for one device (function, variable, ping, signal), answered by the node holding it. */
    public static String deviceCommands(String deviceId) {
        return "dev." + deviceId + "." + COMMANDS;
    }

    /** Notice that a device connected somewhere: older sessions close. */
    public static String deviceTakeover(String deviceId) {
        return "dev." + deviceId + "." + TAKEOVER;
    }

    /** Notice that a device's ownership or settings changed: nodes holding it reload it. */
    public static String deviceChanged(String deviceId) {
        return "dev." + deviceId + "." + CHANGED;
    }

    /** Notice that a device's name or notes were edited: cached copies of it are stale. */
    public static String deviceEdited(String deviceId) {
        return "dev." + deviceId + "." + EDITED;
    }

    /** Notice that a device connected, disconnected or described itself: cached copies of it are stale. */
    public static String devicePresence(String deviceId) {
        return "dev." + deviceId + "." + PRESENCE;
    }

    /**
     * Webhook responses and errors for the one device whose event triggered the webhook
     * (payload: an encoded event); they reach no other device.
     */
    public static String deviceHookEvents(String deviceId) {
        return "dev." + deviceId + "." + HOOK;
    }

    /** Notice that a device must be disconnected wherever it is (removed from its product). */
    public static String deviceKick(String deviceId) {
        return "dev." + deviceId + "." + KICK;
    }

    /** Notice that an online device's firmware target may have changed (a release, a lock, a flash): check for an offer. */
    public static String deviceFirmware(String deviceId) {
        return "dev." + deviceId + "." + FIRMWARE;
    }

    /**
     * Notice that a team membership changed (payload "scope:userId", the scope of a product or an
     * organization): that member's streams on it end.
     */
    public static String membershipChanged() {
        return "team.changed";
    }

    /** Each node's API request counts of the last second, so that API limits hold cluster-wide. */
    public static String requestCounts() {
        return "api.requests";
    }

    /**
     * Notice that some product team or organization's members changed (any write, invites included;
     * no payload): every node's cached standings are stale. {@link #membershipChanged()} is the
     * targeted notice that ends one member's streams.
     */
    public static String standingsChanged() {
        return "team.standings";
    }

    /** Notice that a product's row changed (payload: its id): every node's cached copy is stale. */
    public static String productChanged() {
        return "product.changed";
    }

    /** Notice that an access token was revoked (payload: its SHA-256): streams opened with it end. */
    public static String tokenRevoked() {
        return "auth.revoked";
    }

    public static boolean hasWildcard(String pattern) {
        return pattern.indexOf('*') >= 0 || pattern.indexOf('>') >= 0;
    }

    public static boolean matches(String pattern, String subject) {
        String[] pt = pattern.split("\\.", -1);
        String[] st = subject.split("\\.", -1);
        for (int i = 0; i < pt.length; i++) {
            if (pt[i].equals(">")) return st.length > i;
            if (i >= st.length) return false;
            if (!pt[i].equals("*") && !pt[i].equals(st[i])) return false;
        }
        return pt.length == st.length;
    }
}
