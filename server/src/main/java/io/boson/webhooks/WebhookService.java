package io.boson.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.boson.audit.AuditLog;
import io.boson.auth.Principal;
import io.boson.auth.Secrets;
import io.boson.bus.Bus;
import io.boson.devices.Device;
import io.boson.devices.DeviceAccess;
import io.boson.devices.DeviceRef;
import io.boson.devices.Scope;
import io.boson.errors.DomainException;
import io.boson.events.Event;
import io.boson.products.Product;
import io.boson.products.ProductService;
import io.boson.team.Action;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Creating, listing and deleting webhooks, with the permission checks: a person's own webhooks
 * fire on the events of their devices; a product's need the team role that may view or manage
 * integrations. Every node keeps the webhooks by scope in memory for delivery and reloads a scope
 * when any node changes it (a notice on the bus).
 */
public final class WebhookService {

    /** Per account or product; Particle does not publish its limit. */
    public static final int MAX_PER_SCOPE = 500;
    static final int MAX_SETTINGS_CHARS = 16_000;
    static final String CHANGED = "hooks.changed";
    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "DELETE");

    private final WebhookRepository repo;
    private final ProductService products;
    private final DeviceAccess devices;
    private final AuditLog audit;
    private final Bus bus;
    private final ObjectMapper json;
    private final Clock clock;
    private final Destinations destinations;
    private final Map<String, List<Webhook>> byScope = new ConcurrentHashMap<>();
    private volatile Delivery delivery;

    WebhookService(WebhookRepository repo, ProductService products, DeviceAccess devices, AuditLog audit, Bus bus,
                   ObjectMapper json, Clock clock, Destinations destinations) {
        this.repo = repo;
        this.products = products;
        this.devices = devices;
        this.audit = audit;
        this.bus = bus;
        this.json = json;
        this.clock = clock;
        this.destinations = destinations;
        for (Webhook w : repo.all()) byScope.computeIfAbsent(w.scope(), s -> new java.util.ArrayList<>()).add(w);
        byScope.replaceAll((s, l) -> List.copyOf(l));
        bus.subscribe(CHANGED, m -> reload(new String(m.data(), StandardCharsets.UTF_8)));
    }

    void deliveredBy(Delivery d) {
        this.delivery = d;
    }

    /** The webhooks of a scope, from memory (the delivery path). */
    List<Webhook> ofScope(String scope) {
        return byScope.getOrDefault(scope, List.of());
    }

    private void reload(String scope) {
        List<Webhook> now = repo.inScope(scope);
        if (now.isEmpty()) byScope.remove(scope);
        else byScope.put(scope, List.copyOf(now));
    }

    private void changed(String scope) {
        reload(scope);
        bus.publish(CHANGED, scope.getBytes(StandardCharsets.UTF_8));
    }

    /** A webhook with its delivery counts (this node's unwritten ones included). */
    public record View(Webhook webhook, Webhook.Counts counts) {
    }

    /** {@code POST /v1/webhooks} ({@code product} null) or {@code /v1/products/:p/webhooks}. */
    public Webhook create(Principal caller, String product, ObjectNode body) {
        Product p = null;
        String scope;
        if (product == null) {
            caller.requirePerson("have webhooks of their own");
            scope = Scope.user(caller.userId());
        } else {
            p = products.require(caller, product, Action.MANAGE_INTEGRATIONS);
            scope = Scope.product(p.id());
        }
        ObjectNode settings = validate(body);
        String event = settings.get("event").asText();
        String url = settings.get("url").asText();
        String deviceId = null;
        String deviceRef = settings.path("deviceID").asText(null);
        if (deviceRef != null) {
            Device d = devices.resolve(caller, product == null ? DeviceRef.owned(deviceRef)
                    : DeviceRef.inProduct(product, deviceRef), Action.VIEW_DEVICE);
            deviceId = d.id();
            settings.put("deviceID", deviceId);
        }
        if (repo.countInScope(scope) >= MAX_PER_SCOPE) {
            throw DomainException.invalid("At most " + MAX_PER_SCOPE + " webhooks per " + (p == null ? "account" : "product"));
        }
        Webhook w = new Webhook(Secrets.randomHex(12), scope, p == null ? caller.userId() : null, p == null ? null : p.id(),
                event, url, deviceId, settings, clock.millis());
        repo.create(w, caller.userId());
        if (p != null) audit.record(caller, p.id(), "webhook.create", w.id(), event + " → " + url);
        changed(scope);
        return w;
    }

    public List<View> list(Principal caller, String product) {
        String scope = readableScope(caller, product);
        return repo.inScope(scope).stream().map(w -> new View(w, counts(w.id()))).toList();
    }

    public View get(Principal caller, String product, String id) {
        Webhook w = find(readableScope(caller, product), id);
        return new View(w, counts(w.id()));
    }

    public void delete(Principal caller, String product, String id) {
        String scope;
        Product p = null;
        if (product == null) {
            caller.requirePerson("have webhooks of their own");
            scope = Scope.user(caller.userId());
        } else {
            p = products.require(caller, product, Action.MANAGE_INTEGRATIONS);
            scope = Scope.product(p.id());
        }
        Webhook w = find(scope, id);
        repo.delete(w.id());
        if (p != null) audit.record(caller, p.id(), "webhook.delete", w.id(), w.event() + " → " + w.url());
        Delivery d = delivery;
        if (d != null) d.forget(w.id());
        changed(scope);
    }

    private String readableScope(Principal caller, String product) {
        if (product == null) {
            caller.requirePerson("have webhooks of their own");
            return Scope.user(caller.userId());
        }
        return Scope.product(products.require(caller, product, Action.VIEW_INTEGRATIONS).id());
    }

    /** Another scope's webhook is not found, never forbidden: its existence does not leak. */
    private Webhook find(String scope, String id) {
        return repo.find(id).filter(w -> w.scope().equals(scope))
                .orElseThrow(() -> DomainException.notFound("Webhook not found"));
    }

    private Webhook.Counts counts(String id) {
        Webhook.Counts stored = repo.counts(id);
        Delivery d = delivery;
        if (d == null) return stored;
        Webhook.Counts p = d.pending(id);
        return new Webhook.Counts(stored.sent() + p.sent(), stored.succeeded() + p.succeeded(), stored.failed() + p.failed(),
                stored.skipped() + p.skipped(), p.lastError() != null ? p.lastError() : stored.lastError(),
                p.lastErrorAt() != null ? p.lastErrorAt() : stored.lastErrorAt());
    }

    /** Particle's fields, checked and normalised (unknown fields are dropped). */
    private ObjectNode validate(ObjectNode in) {
        ObjectNode s = json.createObjectNode();
        String event = text(in, "event");
        if (event == null) event = text(in, "eventName");
        if (event == null || event.isEmpty() || event.length() > Event.MAX_NAME) {
            throw DomainException.invalid("event is required: the event name prefix, 1 to " + Event.MAX_NAME + " characters");
        }
        s.put("event", event);
        String url = text(in, "url");
        if (url == null || url.isBlank()) throw DomainException.invalid("url is required");
        if (url.length() > 2000) throw DomainException.invalid("url is at most 2000 characters");
        checkUrl(url.trim());
        s.put("url", url.trim());
        String method = text(in, "requestType");
        method = method == null || method.isBlank() ? "POST" : method.trim().toUpperCase(Locale.ROOT);
        if (!METHODS.contains(method)) throw DomainException.invalid("requestType must be GET, POST, PUT or DELETE");
        s.put("requestType", method);
        for (String key : new String[] {"deviceID", "deviceid", "deviceId"}) {
            String d = text(in, key);
            if (d != null && !d.isBlank()) {
                s.put("deviceID", d.trim());
                break;
            }
        }
        int bodies = 0;
        JsonNode j = in.get("json");
        if (j != null && !j.isNull()) {
            if (!j.isObject() && !j.isTextual() && !j.isArray()) throw DomainException.invalid("json must be an object or a string");
            s.set("json", j);
            bodies++;
        }
        for (String key : new String[] {"form", "headers", "query"}) {
            JsonNode n = in.get(key);
            if (n == null || n.isNull()) continue;
            if (n.isTextual()) n = parseObject(key, n.textValue());
            if (!n.isObject()) throw DomainException.invalid(key + " must be an object");
            for (JsonNode v : n) {
                if (!v.isValueNode()) throw DomainException.invalid(key + " values must be strings, numbers or booleans");
            }
            s.set(key, n);
            if (key.equals("form")) bodies++;
        }
        JsonNode body = in.get("body");
        if (body != null && !body.isNull()) {
            if (!body.isTextual()) throw DomainException.invalid("body must be a string");
            s.set("body", body);
            bodies++;
        }
        if (bodies > 1) throw DomainException.invalid("json, form and body are mutually exclusive: give at most one");
        JsonNode auth = in.get("auth");
        if (auth != null && !auth.isNull()) {
            if (auth.isTextual()) auth = parseObject("auth", auth.textValue());
            if (!auth.isObject() || !auth.path("username").isValueNode()) {
                throw DomainException.invalid("auth must be an object with username and password");
            }
            s.set("auth", auth);
        }
        for (String key : new String[] {"responseTopic", "errorResponseTopic", "name"}) {
            String v = text(in, key);
            if (v == null || v.isBlank()) continue;
            if (v.length() > 200) throw DomainException.invalid(key + " is at most 200 characters");
            s.put(key, v);
        }
        JsonNode template = in.get("responseTemplate");
        if (template != null && !template.isNull()) {
            if (!template.isTextual() && !template.isObject()) throw DomainException.invalid("responseTemplate must be a string");
            s.set("responseTemplate", template);
        }
        for (String key : new String[] {"rejectUnauthorized", "noDefaults", "disabled"}) {
            JsonNode v = in.get(key);
            if (v == null || v.isNull()) continue;
            String t = v.asText().trim().toLowerCase(Locale.ROOT);
            if (!t.equals("true") && !t.equals("false")) throw DomainException.invalid(key + " must be true or false");
            s.put(key, t.equals("true"));
        }
        if (s.toString().length() > MAX_SETTINGS_CHARS) {
            throw DomainException.invalid("A webhook's settings are at most " + MAX_SETTINGS_CHARS + " characters");
        }
        return s;
    }

    private JsonNode parseObject(String key, String text) {
        try {
            return json.readTree(text);
        } catch (java.io.IOException e) {
            throw DomainException.invalid(key + " must be a JSON object");
        }
    }

    private static String text(ObjectNode in, String key) {
        JsonNode n = in.get(key);
        if (n == null || n.isNull()) return null;
        if (!n.isValueNode()) throw DomainException.invalid(key + " must be a string");
        return n.asText();
    }

    /**
     * The URL must be http(s) with a host; when the host is not templated it must not be a blocked
     * address (a templated host is checked on every send).
     */
    private void checkUrl(String url) {
        String probe = url.replaceAll("\\{\\{\\{?[^}]*}}}?", "x");
        URI uri;
        try {
            uri = new URI(probe);
        } catch (URISyntaxException e) {
            throw DomainException.invalid("url is not a valid URL");
        }
        int start = url.indexOf("://");
        String authority = start < 0 ? url : url.substring(start + 3);
        int end = authority.indexOf('/');
        if (end >= 0) authority = authority.substring(0, end);
        if (Template.hasTags(authority)) {
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) throw DomainException.invalid("url must be an http or https URL");
            return;
        }
        destinations.checkUrl(uri);
    }
}
