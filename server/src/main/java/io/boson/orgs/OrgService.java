package io.boson.orgs;

import io.boson.audit.AuditLog;
import io.boson.auth.AccountRepository;
import io.boson.auth.AuthService;
import io.boson.auth.Principal;
import io.boson.auth.User;
import io.boson.bus.Bus;
import io.boson.bus.Subjects;
import io.boson.devices.Scope;
import io.boson.errors.DomainException;
import io.boson.products.Product;
import io.boson.products.ProductService;
import io.boson.products.Slugs;
import io.boson.team.Action;
import io.boson.team.MemberRepository;
import io.boson.team.Role;
import io.boson.team.Scopes;
import io.boson.team.TeamService;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Organizations: created by an account, which becomes their Owner (a Boson extension; Particle
 * creates organizations out of band). Members hold the same roles as product teams, and an org
 * role applies to every product of the org. Like products, an org the caller is not in is "not found".
 */
public final class OrgService {

    public static final int MAX_NAME = 200;

    private final OrgRepository orgs;
    private final ProductService products;
    private final AccountRepository accounts;
    private final AuthService auth;
    private final Bus bus;
    private final AuditLog audit;
    private final Clock clock;

    public OrgService(OrgRepository orgs, ProductService products, AccountRepository accounts, AuthService auth, Bus bus,
                      AuditLog audit, Clock clock) {
        this.auth = auth;
        this.orgs = orgs;
        this.products = products;
        this.accounts = accounts;
        this.bus = bus;
        this.audit = audit;
        this.clock = clock;
    }

    public Org create(Principal caller, String name) {
        caller.requirePerson("create organizations");
        if (name == null || name.isBlank() || name.length() > MAX_NAME) {
            throw DomainException.invalid("name is required (at most " + MAX_NAME + " characters)");
        }
        Org org = orgs.create(Slugs.unique(name, "org", orgs::slugTaken), name.trim(), caller.userId(), clock.millis());
        audit.recordOrg(caller, org.id(), "org.create", org.slug(), "name=" + org.name());
        return org;
    }

    /** For rendering a product's org; whoever asks already may see the product. */
    public java.util.Optional<Org> find(long id) {
        return orgs.find(id);
    }

    public List<Org> list(Principal caller) {
        return orgs.ofUser(caller.userId());
    }

    /** The org by id or slug if the caller's org role allows {@code action}; not found for non-members. */
    public Org require(Principal caller, String idOrSlug, Action action) {
        Org org = lookup(idOrSlug).orElseThrow(() -> DomainException.notFound("Organization not found"));
        MemberRepository.Member m = orgs.member(org.id(), caller.userId())
                .orElseThrow(() -> DomainException.notFound("Organization not found"));
        if (!m.may(action)) {
            throw DomainException.forbidden((m.role() == Role.API_USER ? "Your scopes" : "Your role in this organization ("
                    + m.role().displayName() + ")") + " do not allow " + action.name().toLowerCase(Locale.ROOT).replace('_', ' '));
        }
        return org;
    }

    public Product createProduct(Principal caller, String org, String name, String description, Integer platformId) {
        Org o = require(caller, org, Action.EDIT_SETTINGS);
        return products.create(caller, name, description, platformId, o.id());
    }

    public List<Product> products(Principal caller, String org) {
        return products.ofOrg(require(caller, org, Action.VIEW_SETTINGS).id());
    }

    /** The org's product scopes, for its event stream and org-wide events. */
    public List<String> productScopes(Org org) {
        return products.ofOrg(org.id()).stream().map(p -> Scope.product(p.id())).toList();
    }

    public AuditLog.Page audit(Principal caller, String org, int page, int perPage) {
        return audit.org(require(caller, org, Action.READ_AUDIT).id(), page, perPage);
    }

    // --- the org's team -------------------------------------------------------------------------

    public List<MemberRepository.Member> team(Principal caller, String org) {
        return orgs.members(require(caller, org, Action.VIEW_TEAM).id());
    }

    public MemberRepository.Member invite(Principal caller, String org, String username, String role) {
        Org o = require(caller, org, Action.MANAGE_TEAM);
        if (username == null || username.isBlank()) throw DomainException.invalid("username is required");
        Role r = Role.assignable(role);
        User user = accounts.findUser(username.trim())
                .orElseThrow(() -> DomainException.notFound("No account with the username " + username.trim()));
        if (orgs.role(o.id(), user.id()).isPresent()) throw DomainException.conflict(user.username() + " is already in the organization");
        orgs.add(o.id(), user.id(), r, clock.millis());
        audit.recordOrg(caller, o.id(), "team.invite", user.username(), "role=" + r.displayName());
        return new MemberRepository.Member(user.id(), user.username(), r);
    }

    /** An API user of the org: its scopes apply to every org product; one non-expiring token, shown now only. */
    public TeamService.ApiUser createApiUser(Principal caller, String org, String friendlyName, List<String> scopes) {
        Org o = require(caller, org, Action.MANAGE_TEAM);
        Set<String> granted = Scopes.parse(scopes);
        User user = TeamService.newApiUserAccount(accounts, friendlyName, clock);
        orgs.addApiUser(o.id(), user.id(), granted, clock.millis());
        audit.recordOrg(caller, o.id(), "team.api_user.create", user.username(), String.join(" ", granted));
        return new TeamService.ApiUser(new MemberRepository.Member(user.id(), user.username(), Role.API_USER, granted),
                auth.issueApiToken(user.id()));
    }

    /** New scopes take a new token: the old one stops working at once (streams included). */
    public TeamService.ApiUser changeScopes(Principal caller, String org, String username, List<String> scopes) {
        Org o = require(caller, org, Action.MANAGE_TEAM);
        MemberRepository.Member m = member(o, username);
        if (m.role() != Role.API_USER) throw DomainException.invalid(username + " is not an API user");
        Set<String> granted = Scopes.parse(scopes);
        orgs.setScopes(o.id(), m.userId(), granted);
        auth.revokeAll(m.userId());
        audit.recordOrg(caller, o.id(), "team.api_user.scopes", username, String.join(" ", granted));
        return new TeamService.ApiUser(new MemberRepository.Member(m.userId(), username, Role.API_USER, granted),
                auth.issueApiToken(m.userId()));
    }

    public MemberRepository.Member changeRole(Principal caller, String org, String username, String role) {
        Org o = require(caller, org, Action.MANAGE_TEAM);
        MemberRepository.Member m = member(o, username);
        if (m.role() == Role.OWNER) throw DomainException.forbidden("The Owner cannot be demoted");
        if (m.role() == Role.API_USER) throw DomainException.invalid("An API user has scopes, not a role");
        Role r = Role.assignable(role);
        orgs.setRole(o.id(), m.userId(), r);
        audit.recordOrg(caller, o.id(), "team.role", m.username(), m.role().displayName() + " -> " + r.displayName());
        changed(o, m.userId());
        return new MemberRepository.Member(m.userId(), m.username(), r);
    }

    /** Removes a member from the org and so from all its products; any member may leave. */
    public void remove(Principal caller, String org, String username) {
        boolean self = caller.username().equals(username);
        Org o = require(caller, org, self ? Action.VIEW_TEAM : Action.MANAGE_TEAM);
        MemberRepository.Member m = member(o, username);
        if (m.role() == Role.OWNER) throw DomainException.forbidden("The Owner cannot be removed from the organization");
        orgs.remove(o.id(), m.userId());
        if (m.role() == Role.API_USER) {
            // An org's API user exists for that org only: its account and token go with it.
            auth.revokeAll(m.userId());
            accounts.deleteUser(m.userId());
        }
        audit.recordOrg(caller, o.id(), "team.remove", m.username(), "role was " + m.role().displayName());
        changed(o, m.userId());
    }

    private MemberRepository.Member member(Org o, String username) {
        return orgs.members(o.id()).stream().filter(m -> m.username().equals(username)).findFirst()
                .orElseThrow(() -> DomainException.notFound(username + " is not in the organization"));
    }

    /** The member's open streams on the org and on each of its products end now. */
    private void changed(Org o, long userId) {
        bus.publish(Subjects.membershipChanged(), (Scope.org(o.id()) + ":" + userId).getBytes(StandardCharsets.US_ASCII));
        for (String scope : productScopes(o)) {
            bus.publish(Subjects.membershipChanged(), (scope + ":" + userId).getBytes(StandardCharsets.US_ASCII));
        }
    }

    private java.util.Optional<Org> lookup(String idOrSlug) {
        if (idOrSlug == null || idOrSlug.isBlank()) return java.util.Optional.empty();
        if (Slugs.isId(idOrSlug)) {
            return orgs.find(Long.parseLong(idOrSlug));
        }
        return orgs.findBySlug(idOrSlug);
    }
}
