package io.boson.device;

/**
 * A snapshot of a running fleet. Rate-limited and refused events are visible under MQTT 5 only.
 *
 * @param connectFailures    connection attempts that failed, refused by the cloud or not
 * @param lastConnectFailure why the latest failed attempt failed, or null if none has
 */
public record SimulatorStats(
        int devices,
        int connected,
        long connectFailures,
        long eventsPublished,
        long eventsRateLimited,
        long eventsRefused,
        String lastConnectFailure) {

    /** One line for a console. */
    public String summary() {
        String line = String.format("devices=%d connected=%d connect_failures=%d published=%d rate_limited=%d refused=%d",
                devices, connected, connectFailures, eventsPublished, eventsRateLimited, eventsRefused);
        return lastConnectFailure == null ? line : line + " last_failure=\"" + lastConnectFailure + "\"";
    }
}
