package io.boson.products;

import io.boson.audit.AuditLog;
import io.boson.auth.Principal;
import io.boson.auth.User;
import io.boson.devices.DeviceService;
import io.boson.devices.ProductTeams;
import io.boson.errors.DomainException;
import io.boson.team.Action;
import io.boson.team.MemberRepository;
import io.boson.team.Role;
import io.boson.team.Roles;

import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Products and who may use them: every product call goes through {@link #require} with the action
 * it performs, checked against the one role table ({@link Roles}). A product the caller is not on
 * the team of is "not found", so its existence does not leak.
 */
public final class ProductService implements ProductTeams {

    public static final int MAX_NAME = 200;
    public static final int MAX_DESCRIPTION = 4000;

    private final ProductRepository products;
    private final MemberRepository members;
    private final AuditLog audit;
    private final Clock clock;

    public ProductService(ProductRepository products, MemberRepository members, AuditLog audit, Clock clock) {
        this.products = products;
        this.members = members;
        this.audit = audit;
        this.clock = clock;
    }

    public Product create(Principal caller, String name, String description, Integer platformId) {
        caller.requirePerson("create products");
        return create(caller, name, description, platformId, null);
    }

    /**
     * A product of an organization: the caller's right to create it was checked by the organization;
     * its team is the organization's (roles cascade), so it has no Owner row of its own.
     */
    public Product create(Principal caller, String name, String description, Integer platformId, Long orgId) {
        if (name == null || name.isBlank() || name.length() > MAX_NAME) {
            throw DomainException.invalid("product.name is required (at most " + MAX_NAME + " characters)");
        }
        if (platformId == null || !DeviceService.PLATFORMS.containsKey(platformId)) {
            throw DomainException.invalid("product.platform_id must be a known platform id, such as 13 (Boron) or 32 (P2)");
        }
        if (description != null && description.length() > MAX_DESCRIPTION) {
            throw DomainException.invalid("product.description is at most " + MAX_DESCRIPTION + " characters");
        }
        Product p = products.create(Slugs.unique(name, "product", products::slugTaken), name.trim(), description, platformId,
                caller.userId(), orgId, clock.millis());
        if (orgId == null) members.add(p.id(), caller.userId(), Role.OWNER, clock.millis());
        audit.record(caller, p.id(), "product.create", p.slug(), "name=" + p.name() + " platform_id=" + platformId);
        return p;
    }

    /** The products whose team the caller is on. */
    public List<Product> list(Principal caller) {
        if (caller.kind() == User.Kind.PRODUCT) return products.find(caller.productId()).stream().toList();
        return members.productsOf(caller.userId()).stream().map(products::find).flatMap(Optional::stream).toList();
    }

    /**
     * The product by numeric id or slug, if the caller's role allows {@code action}: not found when
     * the caller is not on the team (existence does not leak), forbidden when the role is too weak.
     */
    public Product require(Principal caller, String idOrSlug, Action action) {
        Product p = lookup(idOrSlug).orElseThrow(() -> DomainException.notFound("Product not found"));
        MemberRepository.Member m = member(caller, p)
                .orElseThrow(() -> DomainException.notFound("Product not found"));
        if (!m.may(action)) {
            throw DomainException.forbidden((m.role() == Role.API_USER ? "Your scopes" : "Your role in this product ("
                    + m.role().displayName() + ")") + " do not allow " + action.name().toLowerCase(Locale.ROOT).replace('_', ' '));
        }
        return p;
    }

    /**
     * The caller's standing in the product. A product token acts as a Developer of its own product
     * only; a customer has no standing in product APIs (forbidden in their product, not found elsewhere).
     */
    private Optional<MemberRepository.Member> member(Principal caller, Product p) {
        boolean own = p.id() == (caller.productId() == null ? -1 : caller.productId());
        return switch (caller.kind()) {
            case PRODUCT -> own ? Optional.of(new MemberRepository.Member(caller.userId(), caller.username(), Role.DEVELOPER))
                    : Optional.empty();
            case CUSTOMER -> {
                if (own) throw DomainException.forbidden("Customers cannot use product APIs");
                yield Optional.empty();
            }
            case USER -> members.member(p.id(), caller.userId());
        };
    }

    public Product update(Principal caller, String idOrSlug, String name, String description, Integer platformId) {
        Product p = require(caller, idOrSlug, Action.EDIT_SETTINGS);
        String newName = name == null ? p.name() : name.trim();
        if (newName.isEmpty() || newName.length() > MAX_NAME) throw DomainException.invalid("product.name is 1 to 200 characters");
        String newDescription = description == null ? p.description() : description;
        if (newDescription != null && newDescription.length() > MAX_DESCRIPTION) {
            throw DomainException.invalid("product.description is at most " + MAX_DESCRIPTION + " characters");
        }
        products.update(p.id(), newName, newDescription);
        if (platformId != null && platformId != p.platformId()) {
            if (!DeviceService.PLATFORMS.containsKey(platformId)) throw DomainException.invalid("Unknown platform_id " + platformId);
            if (products.deviceCount(p.id()) > 0) {
                throw DomainException.conflict("A product with devices keeps its platform; remove its devices first");
            }
            products.setPlatform(p.id(), platformId);
        }
        audit.record(caller, p.id(), "product.update", p.slug(), "name=" + newName
                + (platformId != null ? " platform_id=" + platformId : ""));
        return products.find(p.id()).orElseThrow();
    }

    public long deviceCount(Product p) {
        return products.deviceCount(p.id());
    }

    /** An organization's products; the organization checks who asks. */
    public List<Product> ofOrg(long orgId) {
        return products.ofOrg(orgId);
    }

    /** The product a device's firmware names, whoever asks (the gateway's quarantine check). */
    public Optional<Product> find(long id) {
        return products.find(id);
    }

    @Override
    public boolean mayClaim(long userId, long productId) {
        // API users never claim: claiming is an account's act, and their role has no row in the table.
        // A product's customers claim its devices (with claim codes); people by a role that may edit devices.
        if (members.customerProduct(userId).map(p -> p == productId).orElse(false)) return true;
        return members.role(productId, userId).map(r -> Roles.allows(r, Action.EDIT_DEVICE)).orElse(false);
    }

    @Override
    public Optional<Long> customerProduct(long userId) {
        return members.customerProduct(userId);
    }

    /** Any role: a device claimed by a team member is not a "nonmember" device at import. */
    public boolean onTeam(long userId, long productId) {
        return members.role(productId, userId).isPresent();
    }

    /** By id or slug, whoever asks: for callers authenticated otherwise (a product's OAuth client). */
    public Optional<Product> lookup(String idOrSlug) {
        if (idOrSlug == null || idOrSlug.isBlank()) return Optional.empty();
        if (Slugs.isId(idOrSlug)) {
            return products.find(Long.parseLong(idOrSlug));
        }
        return products.findBySlug(idOrSlug);
    }
}
