package io.boson.events;

import io.boson.auth.Principal;
import io.boson.bus.Bus;
import io.boson.bus.Subjects;
import io.boson.devices.Device;
import io.boson.devices.Scope;
import io.boson.devices.DeviceAccess;
import io.boson.devices.DeviceRef;
import io.boson.orgs.Org;
import io.boson.orgs.OrgService;
import io.boson.products.Product;
import io.boson.products.ProductService;
import io.boson.team.Action;
import io.boson.errors.DomainException;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Publishing events into a scope and subscribing to them. All traffic goes through the bus, so a
 * stream on one node sees events from devices on every node.
 */
public final class EventService {

    private static final Pattern API_NAME = Pattern.compile("[^\\p{Cntrl}]{1," + Event.MAX_NAME + "}");
    /** How long a new stream waits for its subscription to reach the other nodes before it answers anyway. */
    private static final java.time.Duration SYNC_TIMEOUT = java.time.Duration.ofSeconds(2);

    private final Bus bus;
    private final EventCodec codec;
    private final DeviceAccess devices;
    private final ProductService products;
    private final OrgService orgs;
    private final Clock clock;
    private final EventHistory history;

    public EventService(Bus bus, EventCodec codec, DeviceAccess devices, ProductService products, OrgService orgs,
                        Clock clock) {
        this(bus, codec, devices, products, orgs, clock, EventHistory.off(bus, clock));
    }

    /** With {@code history}, each event gets an id and is kept for the retention. */
    public EventService(Bus bus, EventCodec codec, DeviceAccess devices, ProductService products, OrgService orgs,
                        Clock clock, EventHistory history) {
        this.history = history;
        this.orgs = orgs;
        this.bus = bus;
        this.codec = codec;
        this.devices = devices;
        this.products = products;
        this.clock = clock;
    }

    /**
     * Which events a stream wants: its scope, optionally one device, and a name prefix. An
     * organization's stream also takes the scopes of the org's products ({@code alsoScopes}).
     */
    public record Filter(String scope, String deviceId, String prefix, List<String> alsoScopes) {
        public Filter(String scope, String deviceId, String prefix) {
            this(scope, deviceId, prefix, List.of());
        }

        boolean matches(Event e) {
            return (deviceId == null || deviceId.equals(e.coreid()))
                    && (prefix == null || prefix.isEmpty() || e.name().startsWith(prefix));
        }
    }

    public void publishFromApi(Principal caller, String name, String data, Integer ttl) {
        publishFromApi(Scope.user(caller.userId()), null, name, data, ttl);
    }

    /** {@code POST /v1/products/:p/events}: to the product's devices and streams. */
    public void publishToProduct(Principal caller, String product, String name, String data, Integer ttl) {
        Product p = products.require(caller, product, Action.PUBLISH_EVENT);
        publishFromApi(Scope.product(p.id()), p.id(), name, data, ttl);
    }

    private void publishFromApi(String scope, Long productId, String name, String data, Integer ttl) {
        if (name == null || !API_NAME.matcher(name).matches()) {
            throw DomainException.invalid("Event name is required: 1 to " + Event.MAX_NAME + " characters");
        }
        String body = data == null ? "" : data;
        if (body.getBytes(StandardCharsets.UTF_8).length > Event.MAX_DATA_BYTES) {
            throw DomainException.invalid("Event data is at most " + Event.MAX_DATA_BYTES + " bytes");
        }
        int t = ttl == null ? Event.DEFAULT_TTL : ttl;
        if (t < 0 || t > 16_777_215) throw DomainException.invalid("ttl must be between 0 and 16777215 seconds");
        publish(new Event(name, body, false, t, clock.millis(), Event.API_COREID, scope,
                productId == null ? null : productId.intValue(), null));
    }

    /** An event a device published; the gateway has already checked the name, size and rate. */
    public void publishFromDevice(String deviceId, String scope, String ownerScope, String name, String data, boolean base64) {
        publishDeviceEvent(new Event(name, data, base64, Event.DEFAULT_TTL, clock.millis(), deviceId, scope,
                Scope.productOf(scope), deviceId), ownerScope);
    }

    /** Cloud events about a device ({@code spark/status} and friends). */
    public void system(String deviceId, String scope, String ownerScope, String name, String data) {
        publishDeviceEvent(new Event(name, data, false, Event.DEFAULT_TTL, clock.millis(), deviceId, scope,
                Scope.productOf(scope), deviceId), ownerScope);
    }

    /** A cloud event from no device into a scope's streams ({@code spark/usage/…} in an owner's). */
    public void cloud(String scope, String name, String data) {
        publish(new Event(name, data, false, Event.DEFAULT_TTL, clock.millis(), Event.API_COREID, scope, Scope.productOf(scope), null));
    }

    /** A cloud event about a device known from the registry (firmware status), in its scope and its owner's. */
    public void system(Device device, String name, String data) {
        String placement = Scope.placement(device);
        system(device.id(), Scope.scopeOf(placement), Scope.ownerCopyOf(placement), name, data);
    }

    /** Into the device's scope, and a copy into its owner's when a claimed product device published it. */
    private void publishDeviceEvent(Event e, String ownerScope) {
        publish(e);
        if (ownerScope != null) {
            publish(new Event(e.name(), e.data(), e.base64(), e.ttl(), e.publishedAt(), e.coreid(), ownerScope,
                    e.productId(), e.deviceOwner()));
        }
    }

    /**
     * The history gives the event its id under its scope's lock (ids in the order subscribers see
     * them); the JSON is written before, outside that lock: one product's devices all publish into
     * one scope, and encoding inside the lock made the gateway's threads wait for each other.
     */
    private void publish(Event e) {
        byte[] plain = codec.encode(e);
        String subject = Subjects.events(e.scope());
        history.publish(e, id -> bus.publish(subject, codec.withId(e, plain, id)));
    }

    EventHistory history() {
        return history;
    }

    /** The caller's own events ("mine", and {@code /v1/events}). */
    public Filter mine(Principal caller, String prefix) {
        return new Filter(Scope.user(caller.userId()), null, prefix);
    }

    /** One device the caller may see (owned, or in a product of the caller's team); else not found. */
    public Filter device(Principal caller, DeviceRef ref, String prefix) {
        Device d = devices.resolve(caller, ref, Action.SUBSCRIBE_EVENTS);
        return new Filter(Scope.ofDevice(d), d.id(), prefix);
    }

    /** All events of a product the caller's team has. */
    public Filter product(Principal caller, String product, String prefix) {
        return new Filter(Scope.product(products.require(caller, product, Action.SUBSCRIBE_EVENTS).id()), null, prefix);
    }

    /**
     * Delivers matching events, already rendered, to {@code sink}; the sink must not block. Returns
     * once the subscription is in effect on every node: an event published anywhere after the
     * return reaches the sink. Blocks for a bus round trip (a stream's own thread, never an event loop).
     */
    public Bus.Subscription subscribe(Filter filter, Consumer<EventCodec.Decoded> sink) {
        Bus.Subscription main = bus.subscribe(Subjects.events(filter.scope()), m -> {
            EventCodec.Decoded d = codec.decode(m.data());
            if (filter.matches(d.event())) sink.accept(d);
        });
        if (filter.alsoScopes().isEmpty()) {
            bus.sync(SYNC_TIMEOUT);
            return main;
        }
        List<Bus.Subscription> all = new ArrayList<>(List.of(main));
        for (String scope : filter.alsoScopes()) {
            all.add(bus.subscribe(Subjects.events(scope), m -> {
                EventCodec.Decoded d = codec.decode(m.data());
                // Org-wide events reach the products as copies without a product; the org scope has the original.
                if (d.event().productId() != null && filter.matches(d.event())) sink.accept(d);
            }));
        }
        bus.sync(SYNC_TIMEOUT);
        return () -> all.forEach(Bus.Subscription::close);
    }

    /** {@code GET /v1/orgs/:o/events}: the org's own events and those of every product it has now. */
    public Filter org(Principal caller, String org, String prefix) {
        Org o = orgs.require(caller, org, Action.SUBSCRIBE_EVENTS);
        return new Filter(Scope.org(o.id()), null, prefix, orgs.productScopes(o));
    }

    /** {@code POST /v1/orgs/:o/events}: to the org's streams, and to every product's devices and streams. */
    public void publishToOrg(Principal caller, String org, String name, String data, Integer ttl) {
        Org o = orgs.require(caller, org, Action.PUBLISH_EVENT);
        publishFromApi(Scope.org(o.id()), null, name, data, ttl);
        for (String scope : orgs.productScopes(o)) publishFromApi(scope, null, name, data, ttl);
    }
}
