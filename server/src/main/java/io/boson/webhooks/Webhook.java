package io.boson.webhooks;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One integration: on an event of {@code scope} whose name starts with {@code event} (and, when
 * set, from {@code deviceId}), a request to {@code url} built from {@code settings}, which keeps
 * Particle's field names as sent ({@code requestType}, {@code json}, {@code form}, {@code body},
 * {@code headers}, {@code query}, {@code auth}, {@code responseTopic}, …).
 *
 * @param ownerUserId the account of a user webhook, null for a product's
 * @param productId   the product of a product webhook, null for a user's
 */
public record Webhook(String id, String scope, Long ownerUserId, Long productId, String event, String url,
                      String deviceId, ObjectNode settings, long createdAt) {

    public String requestType() {
        return settings.path("requestType").asText("POST");
    }

    boolean matches(String eventName, String coreid) {
        return eventName.startsWith(event) && (deviceId == null || deviceId.equalsIgnoreCase(coreid));
    }

    /** Delivery counts, added to by every node. */
    public record Counts(long sent, long succeeded, long failed, long skipped, String lastError, Long lastErrorAt) {
    }
}
