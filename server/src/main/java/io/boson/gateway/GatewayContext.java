package io.boson.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.boson.bus.Bus;
import io.boson.devices.DeviceService;
import io.boson.devices.Presence;
import io.boson.events.EventCodec;
import io.boson.events.EventService;
import io.boson.firmware.OtaDelivery;
import io.boson.products.ProductDevices;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;

/** What every device connection on this node shares. */
record GatewayContext(DeviceService devices, ProductDevices fleet, Presence presence, EventService events, EventCodec codec, Bus bus,
                      ObjectMapper json, Clock clock, Duration requestTimeout, ExecutorService blocking,
                      Sessions sessions, OtaDelivery ota, ConnectPacing pacing,
                      io.boson.usage.UsageService usage, GatewayMeters meters,
                      io.boson.health.FleetCounters fleetCounters) {
}
