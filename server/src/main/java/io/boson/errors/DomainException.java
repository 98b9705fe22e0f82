package io.boson.errors;

/**
 * The only errors services raise. Adapters map each kind once: {@code http} to a status and
 * Particle's JSON body, {@code gateway} to an MQTT reason code. Messages are shown to users.
 */
public sealed abstract class DomainException extends RuntimeException {

    private final String info;

    DomainException(String message, String info) {
        super(message, null, false, false);
        this.info = info;
    }

    /** Extra human text (Particle's {@code info} field), or null. */
    public String info() {
        return info;
    }

    public static NotFound notFound(String message) {
        return new NotFound(message, null);
    }

    public static Invalid invalid(String message) {
        return new Invalid(message);
    }

    public static Forbidden forbidden(String message) {
        return new Forbidden(message);
    }

    public static Conflict conflict(String message) {
        return new Conflict(message);
    }

    /** The resource does not exist, or exists but the caller may not know it does. */
    public static final class NotFound extends DomainException {
        public NotFound(String message, String info) {
            super(message, info);
        }
    }

    /** The caller is known but not allowed to do this. */
    public static final class Forbidden extends DomainException {
        public Forbidden(String message) {
            super(message, null);
        }

        public Forbidden(String message, String info) {
            super(message, info);
        }
    }

    /** The request is malformed or breaks a rule. */
    public static final class Invalid extends DomainException {
        public Invalid(String message) {
            super(message, null);
        }
    }

    /** The request conflicts with the current state (duplicate name, already taken). */
    public static final class Conflict extends DomainException {
        public Conflict(String message) {
            super(message, null);
        }
    }

    /** No credentials, or credentials that are not (or no longer) valid. */
    public static final class Unauthenticated extends DomainException {
        private final boolean missing;

        public Unauthenticated(String message, boolean missing) {
            super(message, null);
            this.missing = missing;
        }

        /** True when no token was presented at all (Particle answers 400 then, 401 otherwise). */
        public boolean missing() {
            return missing;
        }
    }

    /** The device is not connected to any node. */
    public static final class DeviceOffline extends DomainException {
        public DeviceOffline() {
            super("Device not connected", null);
        }
    }

    /** The device is connected but did not answer in time. */
    public static final class DeviceTimeout extends DomainException {
        public DeviceTimeout() {
            super("Timed out.", null);
        }
    }

    /** The device answered a request with an error of its own. */
    public static final class DeviceError extends DomainException {
        public DeviceError(String reason) {
            super(reason, null);
        }
    }

    /** The owner's usage limit is reached; communication is paused. */
    public static final class QuotaExceeded extends DomainException {
        public QuotaExceeded(String message) {
            super(message, null);
        }
    }
}
