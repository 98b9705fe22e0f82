package io.boson.devices;

/**
 * The owner scope an event lives in (device protocol section 4): an account for developer devices,
 * a product for product devices. Events never cross scopes. A device nobody owns has a scope of
 * its own that no one subscribes to, so its events reach no one.
 */
public final class Scope {

    private Scope() {
    }

    public static String user(long userId) {
        return "u" + userId;
    }

    public static String unowned(String deviceId) {
        return "d" + deviceId;
    }

    public static String product(long productId) {
        return "p" + productId;
    }

    /** An organization's own scope: events published to the organization as a whole. */
    public static String org(long orgId) {
        return "o" + orgId;
    }

    /** The product id of a product scope, or null for any other scope. */
    public static Integer productOf(String scope) {
        return scope.startsWith("p") ? Integer.valueOf(scope.substring(1)) : null;
    }

    /**
     * Where a device's events go, as sent to the gateway when the device moves: its scope, and for a
     * product device claimed by someone (a team member or a customer) also its owner's scope after a
     * space, so the owner sees the device's events in "my devices" streams.
     */
    public static String placement(Device device) {
        String scope = ofDevice(device);
        return device.productId() != null && device.ownerId() != null ? scope + " " + user(device.ownerId()) : scope;
    }

    public static String placement(String scope, Long ownerId) {
        return ownerId == null ? scope : scope + " " + user(ownerId);
    }

    /** The scope part of a placement. */
    public static String scopeOf(String placement) {
        int sp = placement.indexOf(' ');
        return sp < 0 ? placement : placement.substring(0, sp);
    }

    /** The owner's scope of a placement, or null when events stay in the device's scope only. */
    public static String ownerCopyOf(String placement) {
        int sp = placement.indexOf(' ');
        return sp < 0 ? null : placement.substring(sp + 1);
    }

    /** A product device lives in its product's scope, claimed or not; a developer device in its owner's. */
    public static String ofDevice(Device device) {
        if (device.productId() != null) return product(device.productId());
        return device.ownerId() != null ? user(device.ownerId()) : unowned(device.id());
    }
}
