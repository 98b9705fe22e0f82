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

    public static String ofDevice(Device device) {
        return device.ownerId() != null ? user(device.ownerId()) : unowned(device.id());
    }
}
