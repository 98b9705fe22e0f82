package io.boson.webhooks;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.boson.audit.AuditLog;
import io.boson.bus.Bus;
import io.boson.devices.Device;
import io.boson.devices.DeviceAccess;
import io.boson.devices.DeviceRepository;
import io.boson.events.EventCodec;
import io.boson.health.FleetCounters;
import io.boson.http.Tokens;
import io.boson.products.ProductService;
import io.micrometer.core.instrument.MeterRegistry;
import org.jdbi.v3.core.Jdbi;

import java.time.Clock;

/**
 * The webhooks feature, wired: its service, its routes, and the bus that the event service must
 * publish through so that events entering on this node fire their webhooks.
 */
public final class Webhooks implements AutoCloseable {

    private final WebhookService service;
    private final Delivery delivery;
    private final EventTap tap;

    private Webhooks(WebhookService service, Delivery delivery, EventTap tap) {
        this.service = service;
        this.delivery = delivery;
        this.tap = tap;
    }

    public static Webhooks create(WebhookSettings settings, Jdbi jdbi, ObjectMapper json, Bus bus, EventCodec codec,
                                  ProductService products, DeviceAccess devices,
                                  DeviceRepository deviceRepo, AuditLog audit, FleetCounters fleet, MeterRegistry registry,
                                  Clock clock) {
        WebhookRepository repo = new WebhookRepository(jdbi, json);
        WebhookService service = new WebhookService(repo, products, devices, audit, bus, json, clock,
                new Destinations(settings.allow()));
        Delivery delivery = new Delivery(settings, service::ofScope,
                id -> deviceRepo.find(id).map(Device::productVersion).orElse(null),
                bus, codec, json, clock, repo, fleet, registry);
        service.deliveredBy(delivery);
        return new Webhooks(service, delivery, new EventTap(bus, delivery));
    }

    /** The bus to hand the event service. */
    public Bus eventBus() {
        return tap;
    }

    public WebhookService service() {
        return service;
    }

    public WebhookRoutes routes(Tokens tokens, ObjectMapper json) {
        return new WebhookRoutes(service, tokens, json);
    }

    /** Writes the delivery counts now. */
    public void flush() {
        delivery.flush();
    }

    @Override
    public void close() {
        delivery.close();
    }
}
