package io.boson.team;

import io.boson.audit.AuditLog;
import io.boson.auth.AccountRepository;
import io.boson.auth.AuthService;
import io.boson.auth.Principal;
import io.boson.auth.User;
import io.boson.bus.Bus;
import io.boson.bus.Subjects;
import io.boson.errors.DomainException;
import io.boson.products.Product;
import io.boson.products.ProductService;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;

/**
 * A product's team: inviting existing accounts with a role (View-only when none is given, since
 * particle-api-js sends only the username), changing roles, removing members. The Owner can be
 * neither removed nor demoted. A change takes effect at once: permissions are read on every call,
 * and the member's open product event streams are ended through the bus.
 */
public final class TeamService {

    private final ProductService products;
    private final MemberRepository members;
    private final AccountRepository accounts;
    private final AuthService auth;
    private final Bus bus;
    private final AuditLog audit;
    private final Clock clock;

    public TeamService(ProductService products, MemberRepository members, AccountRepository accounts, AuthService auth,
                       Bus bus, AuditLog audit, Clock clock) {
        this.auth = auth;
        this.audit = audit;
        this.products = products;
        this.members = members;
        this.accounts = accounts;
        this.bus = bus;
        this.clock = clock;
    }

    public List<MemberRepository.Member> list(Principal caller, String product) {
        return members.list(products.require(caller, product, Action.VIEW_TEAM).id());
    }

    public MemberRepository.Member invite(Principal caller, String product, String username, String role) {
        Product p = products.require(caller, product, Action.MANAGE_TEAM);
        if (username == null || username.isBlank()) throw DomainException.invalid("username is required");
        Role r = Role.assignable(role);
        User user = accounts.findUser(username.trim())
                .orElseThrow(() -> DomainException.notFound("No account with the username " + username.trim()));
        if (members.role(p.id(), user.id()).isPresent()) throw DomainException.conflict(user.username() + " is already on the team");
        members.add(p.id(), user.id(), r, clock.millis());
        audit.record(caller, p.id(), "team.invite", user.username(), "role=" + r.displayName());
        return new MemberRepository.Member(user.id(), user.username(), r);
    }

    /** An API user and its one token (shown now only). */
    public record ApiUser(MemberRepository.Member member, String token) {
    }

    public ApiUser createApiUser(Principal caller, String product, String friendlyName, List<String> scopes) {
        Product p = products.require(caller, product, Action.MANAGE_TEAM);
        java.util.Set<String> granted = Scopes.parse(scopes);
        User user = newApiUserAccount(accounts, friendlyName, clock);
        String username = user.username();
        members.addApiUser(p.id(), user.id(), granted, clock.millis());
        audit.record(caller, p.id(), "team.api_user.create", username, String.join(" ", granted));
        return new ApiUser(new MemberRepository.Member(user.id(), username, Role.API_USER, granted), auth.issueApiToken(user.id()));
    }

    /** The programmatic account behind an API user (of a product or an organization). */
    public static User newApiUserAccount(AccountRepository accounts, String friendlyName, Clock clock) {
        if (friendlyName == null || friendlyName.isBlank() || friendlyName.length() > 100) {
            throw DomainException.invalid("friendly_name is required (at most 100 characters)");
        }
        String slug = friendlyName.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-+|-+$)", "");
        String username = (slug.isEmpty() ? "api" : slug) + "+" + io.boson.auth.Secrets.randomHex(4) + "@api.boson.local";
        return accounts.createProgrammaticUser(username, clock.millis());
    }

    /** New scopes take a new token: the old one stops working at once. */
    public ApiUser changeScopes(Principal caller, String product, String username, List<String> scopes) {
        Product p = products.require(caller, product, Action.MANAGE_TEAM);
        MemberRepository.Member m = member(p, username);
        if (m.role() != Role.API_USER) throw DomainException.invalid(username + " is not an API user");
        java.util.Set<String> granted = Scopes.parse(scopes);
        members.setScopes(p.id(), m.userId(), granted);
        auth.revokeAll(m.userId());
        audit.record(caller, p.id(), "team.api_user.scopes", username, String.join(" ", granted));
        return new ApiUser(new MemberRepository.Member(m.userId(), username, Role.API_USER, granted), auth.issueApiToken(m.userId()));
    }

    public MemberRepository.Member changeRole(Principal caller, String product, String username, String role) {
        Product p = products.require(caller, product, Action.MANAGE_TEAM);
        MemberRepository.Member m = member(p, username);
        if (m.role() == Role.OWNER) throw DomainException.forbidden("The Owner cannot be demoted");
        if (m.role() == Role.API_USER) throw DomainException.invalid("An API user has scopes, not a role");
        Role r = Role.assignable(role);
        members.setRole(p.id(), m.userId(), r);
        audit.record(caller, p.id(), "team.role", m.username(), m.role().displayName() + " -> " + r.displayName());
        changed(p.id(), m.userId());
        return new MemberRepository.Member(m.userId(), m.username(), r);
    }

    /** Removes a member; any member may leave, managing others takes {@link Action#MANAGE_TEAM}. */
    public void remove(Principal caller, String product, String username) {
        boolean self = caller.username().equals(username);
        Product p = products.require(caller, product, self ? Action.VIEW_TEAM : Action.MANAGE_TEAM);
        MemberRepository.Member m = member(p, username);
        if (m.role() == Role.OWNER) throw DomainException.forbidden("The Owner cannot be removed from the team");
        members.remove(p.id(), m.userId());
        if (m.role() == Role.API_USER) {
            // An API user exists for this product only: its account and tokens go with it.
            auth.revokeAll(m.userId());
            accounts.deleteUser(m.userId());
        }
        audit.record(caller, p.id(), "team.remove", m.username(), "role was " + m.role().displayName());
        changed(p.id(), m.userId());
    }

    private MemberRepository.Member member(Product p, String username) {
        return members.list(p.id()).stream().filter(m -> m.username().equals(username)).findFirst()
                .orElseThrow(() -> DomainException.notFound(username + " is not on the team"));
    }

    /** Open product streams of this member end now; they reconnect under the new role, or not at all. */
    private void changed(long productId, long userId) {
        bus.publish(Subjects.membershipChanged(), (io.boson.devices.Scope.product(productId) + ":" + userId)
                .getBytes(StandardCharsets.US_ASCII));
    }
}
