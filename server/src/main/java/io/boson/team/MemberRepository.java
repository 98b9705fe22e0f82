package io.boson.team;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.boson.bus.Bus;
import io.boson.bus.Subjects;
import org.jdbi.v3.core.Jdbi;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Who is on which product's team, with which role.
 *
 * <p>A caller's standing in a product ({@link #member}) is asked on every product API request, so
 * it is cached. Every change of a product team or an organization's members goes through
 * {@link #changed()}: it empties this node's cache and tells the other nodes over the bus, which
 * empty theirs. A standing read while a change commits is not kept (a generation number), so a
 * removed member loses access at once on the node that removed them and within a bus hop on the
 * others; the TTL only bounds staleness should a bus message be lost.
 */
public final class MemberRepository {

    public static final Duration CACHE_TTL = Duration.ofSeconds(10);

    private record Key(long productId, long userId) {
    }

    private final Jdbi jdbi;
    private final Bus bus;
    private final Cache<Key, Optional<Member>> standing = Caffeine.newBuilder()
            .maximumSize(100_000).expireAfterWrite(CACHE_TTL).build();
    private final AtomicLong generation = new AtomicLong();

    public MemberRepository(Jdbi jdbi, Bus bus) {
        this.jdbi = jdbi;
        this.bus = bus;
        bus.subscribe(Subjects.standingsChanged(), m -> forget());
    }

    /** Team or organization members changed (any product, any org): standings read before are stale everywhere. */
    public void changed() {
        forget();
        bus.publish(Subjects.standingsChanged(), new byte[0]);
    }

    private void forget() {
        generation.incrementAndGet();
        standing.invalidateAll();
    }

    public record Member(long userId, String username, Role role, java.util.Set<String> scopes) {
        public Member(long userId, String username, Role role) {
            this(userId, username, role, java.util.Set.of());
        }

        /** What this member may do: its role's table row, or its scopes for an API user. */
        public boolean may(Action action) {
            return role == Role.API_USER ? Scopes.allows(scopes, action) : Roles.allows(role, action);
        }
    }

    /**
     * The caller's standing in a product: a row of its own team, or the caller's role in the
     * organization that owns the product (roles cascade). With both, the stronger role counts.
     */
    public Optional<Member> member(long productId, long userId) {
        Key key = new Key(productId, userId);
        Optional<Member> known = standing.getIfPresent(key);
        if (known != null) return known;
        long before = generation.get();
        Optional<Member> read = read(productId, userId);
        standing.put(key, read);
        // A change that committed while this was read may not be in it: do not keep it.
        if (generation.get() != before) standing.invalidate(key);
        return read;
    }

    private Optional<Member> read(long productId, long userId) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT m.user_id, u.username, m.role, m.scopes FROM product_members m JOIN users u ON u.id = m.user_id
                        WHERE m.product_id = :p AND m.user_id = :u
                        UNION ALL
                        SELECT o.user_id, u.username, o.role, o.scopes FROM org_members o
                        JOIN products p ON p.org_id = o.org_id JOIN users u ON u.id = o.user_id
                        WHERE p.id = :p AND o.user_id = :u""")
                .bind("p", productId).bind("u", userId)
                .map((rs, ctx) -> new Member(rs.getLong(1), rs.getString(2), Role.valueOf(rs.getString(3)),
                        Scopes.fromStored(rs.getString(4)))).stream()
                .min(java.util.Comparator.comparing(Member::role)));
    }

    /** The product whose customer this account is, if it is a customer. */
    public Optional<Long> customerProduct(long userId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT product_id FROM users WHERE id = ? AND kind = 'customer'")
                .bind(0, userId).mapTo(Long.class).findOne());
    }

    public void addApiUser(long productId, long userId, java.util.Set<String> scopes, long now) {
        jdbi.useHandle(h -> h.createUpdate(
                        "INSERT INTO product_members(product_id, user_id, role, scopes, created_at) VALUES (?, ?, ?, ?, ?)")
                .bind(0, productId).bind(1, userId).bind(2, Role.API_USER.name()).bind(3, String.join(" ", scopes))
                .bind(4, now).execute());
        changed();
    }

    public void setScopes(long productId, long userId, java.util.Set<String> scopes) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE product_members SET scopes = ? WHERE product_id = ? AND user_id = ?")
                .bind(0, String.join(" ", scopes)).bind(1, productId).bind(2, userId).execute());
        changed();
    }

    public Optional<Role> role(long productId, long userId) {
        return member(productId, userId).map(Member::role);
    }

    public List<Member> list(long productId) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT m.user_id, u.username, m.role, m.scopes FROM product_members m JOIN users u ON u.id = m.user_id
                        WHERE m.product_id = ? ORDER BY CASE WHEN m.role = 'OWNER' THEN 0 ELSE 1 END, m.created_at, u.username""")
                .bind(0, productId)
                .map((rs, ctx) -> new Member(rs.getLong(1), rs.getString(2), Role.valueOf(rs.getString(3)),
                        Scopes.fromStored(rs.getString(4)))).list());
    }

    public List<Long> productsOf(long userId) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT product_id FROM product_members WHERE user_id = :u
                        UNION
                        SELECT p.id FROM products p JOIN org_members o ON o.org_id = p.org_id WHERE o.user_id = :u
                        ORDER BY 1""")
                .bind("u", userId).mapTo(Long.class).list());
    }

    public void add(long productId, long userId, Role role, long now) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO product_members(product_id, user_id, role, created_at) VALUES (?, ?, ?, ?)")
                .bind(0, productId).bind(1, userId).bind(2, role.name()).bind(3, now).execute());
        changed();
    }

    public void setRole(long productId, long userId, Role role) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE product_members SET role = ? WHERE product_id = ? AND user_id = ?")
                .bind(0, role.name()).bind(1, productId).bind(2, userId).execute());
        changed();
    }

    public boolean remove(long productId, long userId) {
        boolean removed = jdbi.withHandle(h -> h.createUpdate("DELETE FROM product_members WHERE product_id = ? AND user_id = ?")
                .bind(0, productId).bind(1, userId).execute()) > 0;
        changed();
        return removed;
    }
}
