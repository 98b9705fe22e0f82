package io.boson.calls;

/**
 * A request for one device, sent on the bus to whichever node holds its session.
 *
 * @param kind {@code f} function, {@code v} variable, {@code p} ping, {@code s} signal, {@code t} vitals refresh
 */
public record DeviceRequest(String kind, String name, String arg) {

    public static DeviceRequest function(String name, String arg) {
        return new DeviceRequest("f", name, arg);
    }

    public static DeviceRequest variable(String name) {
        return new DeviceRequest("v", name, null);
    }

    public static DeviceRequest ping() {
        return new DeviceRequest("p", null, null);
    }

    public static DeviceRequest vitals() {
        return new DeviceRequest("t", null, "");
    }

    public static DeviceRequest signal(boolean on) {
        return new DeviceRequest("s", null, on ? "1" : "0");
    }

    /** The device's answer: {@code result} text on success, else {@code error}. */
    public record Reply(String result, String error) {
        public static Reply ok(String result) {
            return new Reply(result, null);
        }

        public static Reply failed(String error) {
            return new Reply(null, error);
        }
    }
}
