package io.boson.calls;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.boson.auth.Principal;
import io.boson.bus.Bus;
import io.boson.bus.Subjects;
import io.boson.devices.Describe;
import io.boson.devices.Device;
import io.boson.devices.DeviceAccess;
import io.boson.devices.DeviceRef;
import io.boson.errors.DomainException;
import io.boson.health.FleetCounters;
import io.boson.health.FleetMetric;
import io.micrometer.core.instrument.MeterRegistry;
import io.boson.team.Action;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Functions, variables, pings and signals: requests from the API to a device, answered through the
 * bus by the node that holds the device's session. Offline devices fail fast (404); devices that
 * do not answer within the request timeout fail with 408.
 */
public final class CallService {

    public static final int MAX_ARG_BYTES = 1024;

    private final DeviceAccess devices;
    private final Bus bus;
    private final ObjectMapper json;
    private final Duration timeout;
    private final io.boson.usage.UsageService usage;
    private final CallMeters meters;
    private final FleetCounters fleet;

    public CallService(DeviceAccess devices, Bus bus, ObjectMapper json, Duration timeout, io.boson.usage.UsageService usage,
                       MeterRegistry registry, FleetCounters fleet) {
        this.usage = usage;
        this.devices = devices;
        this.bus = bus;
        this.json = json;
        this.timeout = timeout;
        this.meters = new CallMeters(registry);
        this.fleet = fleet;
    }

    public record FunctionResult(Device device, String name, int returnValue) {
    }

    public record VariableResult(Device device, String name, String type, Object value) {
    }

    public FunctionResult call(Principal caller, DeviceRef ref, String function, String arg) {
        Device device = devices.resolve(caller, ref, Action.CALL_FUNCTIONS);
        String argument = arg == null ? "" : arg;
        if (argument.getBytes(StandardCharsets.UTF_8).length > MAX_ARG_BYTES) {
            throw DomainException.invalid("Function argument is at most " + MAX_ARG_BYTES + " bytes");
        }
        requireOnline(device);
        if (!Describe.fromStored(json, device.describeJson()).functions().contains(function)) {
            throw DomainException.notFound("Function " + function + " not found");
        }
        String result = measured(device, "function", () -> send(device, DeviceRequest.function(function, argument)));
        try {
            return new FunctionResult(device, function, Integer.parseInt(result.trim()));
        } catch (NumberFormatException e) {
            throw new DomainException.DeviceError("The device answered with a non-integer result");
        }
    }

    public VariableResult read(Principal caller, DeviceRef ref, String variable) {
        Device device = devices.resolve(caller, ref, Action.READ_VARIABLES);
        requireOnline(device);
        String type = Describe.fromStored(json, device.describeJson()).variables().get(variable);
        if (type == null) throw DomainException.notFound("Unknown Variable: " + variable);
        String raw = measured(device, "variable", () -> send(device, DeviceRequest.variable(variable)));
        return new VariableResult(device, variable, type, typed(type, raw));
    }

    /** True when the device answered a ping; an offline device is simply not online. */
    public boolean ping(Principal caller, DeviceRef ref) {
        Device device = devices.resolve(caller, ref, Action.PING);
        usage.requireActive(device);
        if (!device.online()) return false;
        try {
            send(device, DeviceRequest.ping());
            return true;
        } catch (DomainException.DeviceOffline | DomainException.DeviceTimeout e) {
            return false;
        }
    }

    public Device signal(Principal caller, DeviceRef ref, boolean on) {
        Device device = devices.resolve(caller, ref, Action.PING);
        requireOnline(device);
        send(device, DeviceRequest.signal(on));
        return device;
    }

    /** Asks the device to publish its vitals now ({@code c/vitals}); they arrive on its own time. */
    public void refreshVitals(Principal caller, DeviceRef ref) {
        Device device = devices.resolve(caller, ref, Action.REFRESH_VITALS);
        requireOnline(device);
        send(device, DeviceRequest.vitals());
    }

    /**
     * Times a request that reached the device's node and counts its result: on the node's meters
     * and in the product's fleet health (success, error answered by the device, timeout). A device
     * that turned out to be offline is counted on the meters only: the fleet never saw the call.
     */
    private String measured(Device device, String kind, java.util.function.Supplier<String> request) {
        long start = System.nanoTime();
        String result = "success";
        try {
            return request.get();
        } catch (DomainException.DeviceTimeout e) {
            result = "timeout";
            throw e;
        } catch (DomainException.DeviceOffline e) {
            result = "offline";
            throw e;
        } catch (DomainException.DeviceError e) {
            result = "error";
            throw e;
        } catch (RuntimeException e) {
            result = "failure";
            throw e;
        } finally {
            meters.record(kind, result, System.nanoTime() - start);
            FleetMetric.Result r = switch (result) {
                case "success" -> FleetMetric.Result.SUCCESS;
                case "timeout" -> FleetMetric.Result.TIMEOUT;
                case "error" -> FleetMetric.Result.ERROR;
                default -> null;
            };
            if (r != null) fleet.count(device.id(), kind.equals("function") ? FleetMetric.function(r) : FleetMetric.variable(r), 1);
        }
    }

    /** Online, and its owner's communication not paused (a paused owner's calls answer 429 naming the limit). */
    private void requireOnline(Device device) {
        usage.requireActive(device);
        if (!device.online()) throw new DomainException.DeviceOffline();
    }

    private String send(Device device, DeviceRequest request) {
        byte[] reply;
        try {
            reply = bus.request(Subjects.deviceCommands(device.id()), json.writeValueAsBytes(request), timeout).get();
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Bus.NoResponders) throw new DomainException.DeviceOffline();
            if (cause instanceof TimeoutException) throw new DomainException.DeviceTimeout();
            throw new IllegalStateException(cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DomainException.DeviceTimeout();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        DeviceRequest.Reply r;
        try {
            r = json.readValue(reply, DeviceRequest.Reply.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (r.error() != null) {
            if (r.error().equals(DeviceOfflineReply.REASON)) throw new DomainException.DeviceOffline();
            throw new DomainException.DeviceError(r.error());
        }
        return r.result();
    }

    /** Turns a variable's text from the device into the JSON value of its declared type. */
    static Object typed(String type, String raw) {
        try {
            return switch (type) {
                case "int32" -> Integer.parseInt(raw.trim());
                case "double" -> Double.parseDouble(raw.trim());
                case "bool" -> switch (raw.trim()) {
                    case "true", "1" -> true;
                    case "false", "0" -> false;
                    default -> throw new NumberFormatException(raw);
                };
                default -> raw;
            };
        } catch (NumberFormatException e) {
            throw new DomainException.DeviceError("The device answered with a value that is not a " + type);
        }
    }

    /** The reason a gateway gives when the device's session ended before it answered. */
    public static final class DeviceOfflineReply {
        public static final String REASON = "device disconnected";

        private DeviceOfflineReply() {
        }
    }
}
