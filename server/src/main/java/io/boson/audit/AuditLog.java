package io.boson.audit;

import io.boson.auth.Principal;
import org.jdbi.v3.core.Jdbi;

import java.time.Clock;
import java.util.List;

/**
 * The audit log: every change to a product's team, settings, groups and devices, with who made it,
 * when and from which address. Written in the same request as the change; read by Administrators.
 */
public final class AuditLog {

    private final Jdbi jdbi;
    private final Clock clock;

    public AuditLog(Jdbi jdbi, Clock clock) {
        this.jdbi = jdbi;
        this.clock = clock;
    }

    public record Entry(long id, long at, String actor, String action, String target, String details, String remoteAddress) {
    }

    public record Page(List<Entry> entries, long total) {
    }

    /** Records a change; {@code productId} is null for changes outside any product (a developer device). */
    public void record(Principal actor, Long productId, String action, String target, String details) {
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO audit_log(product_id, actor_user_id, actor, action, target, details, remote_address, at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)""")
                .bind(0, productId).bind(1, actor == null ? null : actor.userId())
                .bind(2, actor == null ? "device" : actor.username()).bind(3, action).bind(4, target)
                .bind(5, details == null || details.length() <= 4000 ? details : details.substring(0, 4000))
                .bind(6, actor == null ? null : actor.remoteAddress()).bind(7, clock.millis()).execute());
    }

    /** A change made with a product's OAuth client credentials rather than a token. */
    public void recordClient(String clientId, String remoteAddress, long productId, String action, String target) {
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO audit_log(product_id, actor_user_id, actor, action, target, details, remote_address, at)
                        VALUES (?, NULL, ?, ?, ?, NULL, ?, ?)""")
                .bind(0, productId).bind(1, "client " + clientId).bind(2, action).bind(3, target)
                .bind(4, remoteAddress).bind(5, clock.millis()).execute());
    }

    /** A change to an organization (its team, its products). */
    public void recordOrg(Principal actor, long orgId, String action, String target, String details) {
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO audit_log(org_id, actor_user_id, actor, action, target, details, remote_address, at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)""")
                .bind(0, orgId).bind(1, actor.userId()).bind(2, actor.username()).bind(3, action).bind(4, target)
                .bind(5, details).bind(6, actor.remoteAddress()).bind(7, clock.millis()).execute());
    }

    /** A change the cloud made by itself (usage thresholds, pauses); in the org's log when an org is concerned. */
    public void recordSystem(Long orgId, String action, String target, String details) {
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO audit_log(org_id, actor_user_id, actor, action, target, details, remote_address, at)
                        VALUES (?, NULL, 'boson', ?, ?, ?, NULL, ?)""")
                .bind(0, orgId).bind(1, action).bind(2, target).bind(3, details).bind(4, clock.millis()).execute());
    }

    /** A change the cloud made by itself in a product (a rollout that advanced or paused on its thresholds). */
    public void recordProductSystem(long productId, String action, String target, String details) {
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO audit_log(product_id, actor_user_id, actor, action, target, details, remote_address, at)
                        VALUES (?, NULL, 'boson', ?, ?, ?, NULL, ?)""")
                .bind(0, productId).bind(1, action).bind(2, target).bind(3, details).bind(4, clock.millis()).execute());
    }

    /** A product's entries, newest first. */
    public Page product(long productId, int page, int perPage) {
        return page("product_id = :k", productId, page, perPage);
    }

    /** An organization's entries and those of its products, newest first. */
    public Page org(long orgId, int page, int perPage) {
        return page("(org_id = :k OR product_id IN (SELECT id FROM products WHERE org_id = :k))", orgId, page, perPage);
    }

    private Page page(String where, long key, int page, int perPage) {
        return jdbi.withHandle(h -> {
            long total = h.createQuery("SELECT COUNT(*) FROM audit_log WHERE " + where).bind("k", key)
                    .mapTo(Long.class).one();
            List<Entry> entries = h.createQuery("SELECT id, at, actor, action, target, details, remote_address FROM audit_log"
                            + " WHERE " + where + " ORDER BY id DESC LIMIT :limit OFFSET :offset")
                    .bind("k", key).bind("limit", perPage).bind("offset", (long) (page - 1) * perPage)
                    .map((rs, ctx) -> new Entry(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6), rs.getString(7)))
                    .list();
            return new Page(entries, total);
        });
    }
}
