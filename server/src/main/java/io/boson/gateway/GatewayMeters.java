package io.boson.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.concurrent.ConcurrentHashMap;

/** The gateway's own meters (operations: docs/operations.md). Tagged counters are created once per tag value. */
final class GatewayMeters {

    private final MeterRegistry registry;
    final Counter connects;
    final Counter eventsIn;
    final Counter eventsToDevices;
    final Counter rateLimited;
    private final ConcurrentHashMap<String, Counter> refusals = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> disconnects = new ConcurrentHashMap<>();

    GatewayMeters(MeterRegistry registry, Sessions sessions) {
        this.registry = registry;
        Gauge.builder("boson.devices.connected", sessions, Sessions::size)
                .description("Devices with a live MQTT session on this node").register(registry);
        connects = Counter.builder("boson.device.connects").description("Device sessions established").register(registry);
        eventsIn = Counter.builder("boson.events.in").description("Events published by devices and accepted").register(registry);
        eventsToDevices = Counter.builder("boson.events.out").tag("to", "device")
                .description("Events delivered to subscribing devices").register(registry);
        rateLimited = Counter.builder("boson.events.rate.limited").description("Device events dropped by the rate limit")
                .register(registry);
    }

    void refused(String reason) {
        refusals.computeIfAbsent(reason, r -> Counter.builder("boson.device.connect.refusals").tag("reason", r)
                .description("CONNECTs refused, by reason").register(registry)).increment();
    }

    void disconnected(String reason) {
        disconnects.computeIfAbsent(reason, r -> Counter.builder("boson.device.disconnects").tag("reason", r)
                .description("Device sessions ended, by reason").register(registry)).increment();
    }
}
