package io.boson.clients;

import io.boson.audit.AuditLog;
import io.boson.auth.Principal;
import io.boson.auth.Secrets;
import io.boson.errors.DomainException;
import io.boson.products.Product;
import io.boson.products.ProductService;
import io.boson.team.Action;

import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * OAuth clients of an account ({@code /v1/clients}) or of a product ({@code /v1/products/:p/clients},
 * for its team by role). The secret is shown once, at creation, and stored as SHA-256. A client of
 * an account gets tokens for that account with the {@code client_credentials} grant.
 */
public final class ClientService {

    public static final Set<String> TYPES = Set.of("installed", "web");

    private final ClientRepository clients;
    private final ProductService products;
    private final AuditLog audit;
    private final Clock clock;
    private final io.boson.auth.AuthService auth;

    public ClientService(ClientRepository clients, ProductService products, AuditLog audit, Clock clock,
                         io.boson.auth.AuthService auth) {
        this.auth = auth;
        this.clients = clients;
        this.products = products;
        this.audit = audit;
        this.clock = clock;
    }

    /** A new client with its secret: the only time the secret is readable. */
    public record Created(OAuthClient client, String secret) {
    }

    public Created create(Principal caller, String product, String name, String type, String redirectUri) {
        if (product == null) caller.requirePerson("have OAuth clients of their own");
        Product p = product == null ? null : products.require(caller, product, Action.MANAGE_CLIENTS);
        if (name == null || name.isBlank() || name.length() > 200) throw DomainException.invalid("name is required (at most 200 characters)");
        String t = type == null ? "installed" : type.toLowerCase(Locale.ROOT);
        if (!TYPES.contains(t)) throw DomainException.invalid("type must be installed or web");
        if (t.equals("web") && (redirectUri == null || !redirectUri.matches("https?://.+"))) {
            throw DomainException.invalid("a web client needs an http(s) redirect_uri");
        }
        String id = newId(name);
        String secret = Secrets.token();
        OAuthClient c = new OAuthClient(id, name.trim(), t, redirectUri, p == null ? caller.userId() : null, p == null ? null : p.id());
        clients.create(c, Secrets.sha256(secret), clock.millis());
        if (p != null) audit.record(caller, p.id(), "client.create", id, name.trim());
        return new Created(c, secret);
    }

    public List<OAuthClient> list(Principal caller, String product) {
        if (product == null) {
            caller.requirePerson("have OAuth clients of their own");
            return clients.ofUser(caller.userId());
        }
        return clients.ofProduct(products.require(caller, product, Action.VIEW_CLIENTS).id());
    }

    public OAuthClient rename(Principal caller, String product, String id, String name) {
        OAuthClient c = manageable(caller, product, id);
        if (name == null || name.isBlank() || name.length() > 200) throw DomainException.invalid("name is required (at most 200 characters)");
        clients.rename(c.id(), name.trim());
        if (c.productId() != null) audit.record(caller, c.productId(), "client.update", c.id(), name.trim());
        return clients.find(c.id()).orElseThrow();
    }

    public void delete(Principal caller, String product, String id) {
        OAuthClient c = manageable(caller, product, id);
        clients.delete(c.id());
        auth.revokeClient(c.id());
        if (c.productId() != null) audit.record(caller, c.productId(), "client.delete", c.id(), null);
    }

    /** The caller's own client, or one of the product's that the caller's role may manage; else not found. */
    private OAuthClient manageable(Principal caller, String product, String id) {
        Optional<OAuthClient> found = clients.find(id);
        if (product == null) {
            return found.filter(c -> c.productId() == null && c.ownerUserId() != null && c.ownerUserId() == caller.userId())
                    .orElseThrow(() -> DomainException.notFound("Client not found"));
        }
        Product p = products.require(caller, product, Action.MANAGE_CLIENTS);
        return found.filter(c -> c.productId() != null && c.productId() == p.id())
                .orElseThrow(() -> DomainException.notFound("Client not found"));
    }

    /** Particle-like ids: the name's letters, a dash and random digits, within ^[a-z0-9-_]{3,40}$. */
    private String newId(String name) {
        String base = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-+|-+$)", "");
        if (base.length() > 30) base = base.substring(0, 30);
        if (base.isEmpty()) base = "client";
        String id;
        do {
            id = base + "-" + Secrets.randomHex(3);
        } while (clients.exists(id));
        return id;
    }
}
