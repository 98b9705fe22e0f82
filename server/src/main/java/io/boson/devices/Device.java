package io.boson.devices;

/** A registered device as stored, with its owner's username joined in. Times are epoch millis. */
public record Device(
        String id,
        String secretHash,
        int platformId,
        String name,
        String notes,
        Long ownerId,
        String ownerUsername,
        long registeredAt,
        Long claimedAt,
        boolean online,
        String sessionId,
        String nodeId,
        Long lastHeard,
        Long lastHandshakeAt,
        String lastIpAddress,
        String lastDisconnectReason,
        String describeJson,
        String vitalsJson,
        Long vitalsAt,
        String systemFirmwareVersion,
        Integer productVersion,
        long rateLimited,
        Long productId,
        boolean development,
        Long firstConnectedAt,
        Long removedFromProduct) {

    public boolean inProduct() {
        return productId != null;
    }

    public boolean ownedBy(long userId) {
        return ownerId != null && ownerId == userId;
    }
}
