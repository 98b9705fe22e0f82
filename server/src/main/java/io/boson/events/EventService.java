package io.boson.events;

import io.boson.auth.Principal;
import io.boson.bus.Bus;
import io.boson.bus.Subjects;
import io.boson.devices.Device;
import io.boson.devices.Scope;
import io.boson.devices.DeviceService;
import io.boson.errors.DomainException;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Publishing events into a scope and subscribing to them. All traffic goes through the bus, so a
 * stream on one node sees events from devices on every node.
 */
public final class EventService {

    private static final Pattern API_NAME = Pattern.compile("[^\\p{Cntrl}]{1," + Event.MAX_NAME + "}");

    private final Bus bus;
    private final EventCodec codec;
    private final DeviceService devices;
    private final Clock clock;

    public EventService(Bus bus, EventCodec codec, DeviceService devices, Clock clock) {
        this.bus = bus;
        this.codec = codec;
        this.devices = devices;
        this.clock = clock;
    }

    /** Which events a stream wants: its scope, optionally one device, and a name prefix. */
    public record Filter(String scope, String deviceId, String prefix) {
        boolean matches(Event e) {
            return (deviceId == null || deviceId.equals(e.coreid()))
                    && (prefix == null || prefix.isEmpty() || e.name().startsWith(prefix));
        }
    }

    public void publishFromApi(Principal caller, String name, String data, Integer ttl) {
        if (name == null || !API_NAME.matcher(name).matches()) {
            throw DomainException.invalid("Event name is required: 1 to " + Event.MAX_NAME + " characters");
        }
        String body = data == null ? "" : data;
        if (body.getBytes(StandardCharsets.UTF_8).length > Event.MAX_DATA_BYTES) {
            throw DomainException.invalid("Event data is at most " + Event.MAX_DATA_BYTES + " bytes");
        }
        int t = ttl == null ? Event.DEFAULT_TTL : ttl;
        if (t < 0 || t > 16_777_215) throw DomainException.invalid("ttl must be between 0 and 16777215 seconds");
        publish(new Event(name, body, false, t, clock.millis(), Event.API_COREID, Scope.user(caller.userId()), null, null));
    }

    /** An event a device published; the gateway has already checked the name, size and rate. */
    public void publishFromDevice(String deviceId, String scope, String name, String data, boolean base64) {
        publish(new Event(name, data, base64, Event.DEFAULT_TTL, clock.millis(), deviceId, scope, null, deviceId));
    }

    /** Cloud events about a device ({@code spark/status} and friends). */
    public void system(String deviceId, String scope, String name, String data) {
        publish(new Event(name, data, false, Event.DEFAULT_TTL, clock.millis(), deviceId, scope, null, deviceId));
    }

    private void publish(Event e) {
        bus.publish(Subjects.events(e.scope()), codec.encode(e));
    }

    /** The caller's own events ("mine", and {@code /v1/events}). */
    public Filter mine(Principal caller, String prefix) {
        return new Filter(Scope.user(caller.userId()), null, prefix);
    }

    /** One of the caller's devices; not found unless the caller owns it. */
    public Filter device(Principal caller, String idOrName, String prefix) {
        Device d = devices.get(caller, idOrName);
        return new Filter(Scope.ofDevice(d), d.id(), prefix);
    }

    /** Delivers matching events, already rendered, to {@code sink}; the sink must not block. */
    public Bus.Subscription subscribe(Filter filter, Consumer<EventCodec.Decoded> sink) {
        return bus.subscribe(Subjects.events(filter.scope()), m -> {
            EventCodec.Decoded d = codec.decode(m.data());
            if (filter.matches(d.event())) sink.accept(d);
        });
    }
}
