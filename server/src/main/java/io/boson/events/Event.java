package io.boson.events;

/**
 * One event as it travels on the bus.
 *
 * @param data        UTF-8 text, or base64 when {@code base64} is true (a device may publish binary)
 * @param coreid      the publishing device, or {@code api} for events published through the API
 * @param deviceOwner the publishing device's own id when a device published it, else null; a device
 *                    never receives its own events
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true) // the bus form also has its id
public record Event(String name, String data, boolean base64, int ttl, long publishedAt, String coreid,
                    String scope, Integer productId, String deviceOwner) {

    public static final int DEFAULT_TTL = 60;
    public static final int MAX_NAME = 64;
    public static final int MAX_DATA_BYTES = 1024;
    public static final String API_COREID = "api";
}
