package io.boson.gateway;

import io.boson.bus.Bus;
import io.boson.bus.Subjects;
import io.boson.events.Event;
import io.boson.events.EventCodec;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The device sessions on this node, and event delivery to them. Each scope with at least one
 * subscribed device here has one bus subscription; an event is decoded once and offered to the
 * scope's sessions, which filter by their own subscriptions.
 */
final class Sessions {

    private final Map<String, DeviceSession> byDevice = new ConcurrentHashMap<>();
    private final Map<String, ScopeFanOut> byScope = new ConcurrentHashMap<>();
    private final Bus bus;
    private final EventCodec codec;

    Sessions(Bus bus, EventCodec codec) {
        this.bus = bus;
        this.codec = codec;
    }

    /** Registers a session; returns the device's previous local session, if any. */
    DeviceSession put(DeviceSession session) {
        return byDevice.put(session.deviceId(), session);
    }

    void remove(DeviceSession session) {
        byDevice.remove(session.deviceId(), session);
    }

    Collection<DeviceSession> all() {
        return byDevice.values();
    }

    int size() {
        return byDevice.size();
    }

    void receiveEvents(String scope, DeviceSession session) {
        byScope.compute(scope, (k, fanOut) -> {
            ScopeFanOut f = fanOut != null ? fanOut : new ScopeFanOut(scope);
            f.sessions.add(session);
            return f;
        });
    }

    void stopEvents(String scope, DeviceSession session) {
        byScope.computeIfPresent(scope, (k, f) -> {
            f.sessions.remove(session);
            if (!f.sessions.isEmpty()) return f;
            f.subscription.close();
            return null;
        });
    }

    private final class ScopeFanOut {
        final Set<DeviceSession> sessions = ConcurrentHashMap.newKeySet();
        final Bus.Subscription subscription;

        ScopeFanOut(String scope) {
            subscription = bus.subscribe(Subjects.events(scope), m -> {
                Event e = codec.decode(m.data()).event();
                for (DeviceSession s : sessions) s.offerEvent(e);
            });
        }
    }
}
