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

    /** The product id of a product scope, or null for any other scope. */
    public static Integer productOf(String scope) {
        return scope.startsWith("p") ? Integer.valueOf(scope.substring(1)) : null;
    }

    /** A product device lives in its product's scope, claimed or not; a developer device in its owner's. */
    public static String ofDevice(Device device) {
        if (device.productId() != null) return product(device.productId());
        return device.ownerId() != null ? user(device.ownerId()) : unowned(device.id());
    }
}
