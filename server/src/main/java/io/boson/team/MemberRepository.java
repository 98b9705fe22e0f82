package io.boson.team;

import org.jdbi.v3.core.Jdbi;

import java.util.List;
import java.util.Optional;

/** Who is on which product's team, with which role. */
public final class MemberRepository {

    private final Jdbi jdbi;

    public MemberRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
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
    }

    public void setScopes(long productId, long userId, java.util.Set<String> scopes) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE product_members SET scopes = ? WHERE product_id = ? AND user_id = ?")
                .bind(0, String.join(" ", scopes)).bind(1, productId).bind(2, userId).execute());
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
    }

    public void setRole(long productId, long userId, Role role) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE product_members SET role = ? WHERE product_id = ? AND user_id = ?")
                .bind(0, role.name()).bind(1, productId).bind(2, userId).execute());
    }

    public boolean remove(long productId, long userId) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM product_members WHERE product_id = ? AND user_id = ?")
                .bind(0, productId).bind(1, userId).execute()) > 0;
    }
}
