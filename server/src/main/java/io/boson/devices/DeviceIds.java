package io.boson.devices;

import io.boson.auth.Secrets;

import java.util.regex.Pattern;

/** Device IDs are 24 lowercase hex characters, immutable, and never reused. */
public final class DeviceIds {

    private static final Pattern ID = Pattern.compile("[0-9a-f]{24}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private DeviceIds() {
    }

    public static boolean valid(String id) {
        return id != null && ID.matcher(id).matches();
    }

    public static String random() {
        return Secrets.randomHex(12);
    }

    /** A name may not look like an ID, so that "name or ID" in a path is never ambiguous. */
    public static boolean validName(String name) {
        return name != null && NAME.matcher(name).matches() && !valid(name);
    }

    /** Throws a 400 unless {@link #validName} holds. */
    public static String requireValidName(String name) {
        String n = name == null ? null : name.trim();
        if (!validName(n)) {
            throw io.boson.errors.DomainException.invalid(
                    "Device names are 1-64 characters of letters, digits, _ and -, and may not look like a device ID");
        }
        return n;
    }

    /** The name a device gets when claimed without one: stable, readable, unique per owner in practice. */
    public static String defaultName(String id) {
        return "device_" + id.substring(16);
    }
}
