package io.boson.orgs;

import io.boson.team.MemberRepository;
import io.boson.team.Role;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;

import java.util.List;
import java.util.Optional;

/** Organizations and their members. */
public final class OrgRepository {

    private static final String SELECT = "SELECT o.id, o.slug, o.name, o.created_at FROM orgs o";
    private static final RowMapper<Org> MAPPER = (rs, ctx) -> new Org(rs.getLong(1), rs.getString(2), rs.getString(3),
            rs.getLong(4));

    private final Jdbi jdbi;
    /** Told of every change of an organization's members (they are members of its products). */
    private final MemberRepository productMembers;

    public OrgRepository(Jdbi jdbi, MemberRepository productMembers) {
        this.jdbi = jdbi;
        this.productMembers = productMembers;
    }

    /** Creates the organization with its Owner, in one transaction. */
    public Org create(String slug, String name, long ownerUserId, long now) {
        Org org = jdbi.inTransaction(h -> {
            long id = h.createUpdate("INSERT INTO orgs(slug, name, created_at) VALUES (?, ?, ?)")
                    .bind(0, slug).bind(1, name).bind(2, now).executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
            h.createUpdate("INSERT INTO org_members(org_id, user_id, role, created_at) VALUES (?, ?, ?, ?)")
                    .bind(0, id).bind(1, ownerUserId).bind(2, Role.OWNER.name()).bind(3, now).execute();
            return new Org(id, slug, name, now);
        });
        productMembers.changed();
        return org;
    }

    public Optional<Org> find(long id) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + " WHERE o.id = ?").bind(0, id).map(MAPPER).findOne());
    }

    public Optional<Org> findBySlug(String slug) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + " WHERE o.slug = ?").bind(0, slug).map(MAPPER).findOne());
    }

    public boolean slugTaken(String slug) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM orgs WHERE slug = ?").bind(0, slug)
                .mapTo(Long.class).one()) > 0;
    }

    public List<Org> ofUser(long userId) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + " JOIN org_members m ON m.org_id = o.id WHERE m.user_id = ? ORDER BY o.name, o.id")
                .bind(0, userId).map(MAPPER).list());
    }

    public Optional<MemberRepository.Member> member(long orgId, long userId) {
        return members(orgId).stream().filter(m -> m.userId() == userId).findFirst();
    }

    public Optional<Role> role(long orgId, long userId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT role FROM org_members WHERE org_id = ? AND user_id = ?")
                .bind(0, orgId).bind(1, userId).mapTo(String.class).findOne().map(Role::valueOf));
    }

    public List<MemberRepository.Member> members(long orgId) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT m.user_id, u.username, m.role, m.scopes FROM org_members m JOIN users u ON u.id = m.user_id
                        WHERE m.org_id = ? ORDER BY CASE WHEN m.role = 'OWNER' THEN 0 ELSE 1 END, m.created_at, u.username""")
                .bind(0, orgId)
                .map((rs, ctx) -> new MemberRepository.Member(rs.getLong(1), rs.getString(2), Role.valueOf(rs.getString(3)),
                        io.boson.team.Scopes.fromStored(rs.getString(4))))
                .list());
    }

    public void add(long orgId, long userId, Role role, long now) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO org_members(org_id, user_id, role, created_at) VALUES (?, ?, ?, ?)")
                .bind(0, orgId).bind(1, userId).bind(2, role.name()).bind(3, now).execute());
        productMembers.changed();
    }

    public void addApiUser(long orgId, long userId, java.util.Set<String> scopes, long now) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO org_members(org_id, user_id, role, scopes, created_at) VALUES (?, ?, ?, ?, ?)")
                .bind(0, orgId).bind(1, userId).bind(2, Role.API_USER.name()).bind(3, String.join(" ", scopes)).bind(4, now)
                .execute());
        productMembers.changed();
    }

    public void setScopes(long orgId, long userId, java.util.Set<String> scopes) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE org_members SET scopes = ? WHERE org_id = ? AND user_id = ?")
                .bind(0, String.join(" ", scopes)).bind(1, orgId).bind(2, userId).execute());
        productMembers.changed();
    }

    public void setRole(long orgId, long userId, Role role) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE org_members SET role = ? WHERE org_id = ? AND user_id = ?")
                .bind(0, role.name()).bind(1, orgId).bind(2, userId).execute());
        productMembers.changed();
    }

    public void remove(long orgId, long userId) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM org_members WHERE org_id = ? AND user_id = ?")
                .bind(0, orgId).bind(1, userId).execute());
        productMembers.changed();
    }
}
