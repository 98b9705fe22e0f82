package io.boson.webhooks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;

/** The webhooks table: definitions, and delivery counters that nodes add to. */
final class WebhookRepository {

    private static final String SELECT = "SELECT id, scope, owner_user_id, product_id, event, url, device_id, settings, created_at FROM webhooks";

    private final Jdbi jdbi;
    private final ObjectMapper json;
    private final RowMapper<Webhook> mapper;

    WebhookRepository(Jdbi jdbi, ObjectMapper json) {
        this.jdbi = jdbi;
        this.json = json;
        this.mapper = (rs, ctx) -> new Webhook(rs.getString(1), rs.getString(2), rs.getObject(3, Long.class),
                rs.getObject(4, Long.class), rs.getString(5), rs.getString(6), rs.getString(7), parse(rs.getString(8)),
                rs.getLong(9));
    }

    private ObjectNode parse(String text) {
        try {
            return (ObjectNode) json.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void create(Webhook w, Long createdBy) {
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO webhooks(id, scope, owner_user_id, product_id, event, url, device_id, settings, created_by, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                .bind(0, w.id()).bind(1, w.scope()).bind(2, w.ownerUserId()).bind(3, w.productId()).bind(4, w.event())
                .bind(5, w.url()).bind(6, w.deviceId()).bind(7, w.settings().toString()).bind(8, createdBy)
                .bind(9, w.createdAt()).execute());
    }

    long countInScope(String scope) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM webhooks WHERE scope = ?").bind(0, scope)
                .mapTo(Long.class).one());
    }

    List<Webhook> inScope(String scope) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + " WHERE scope = ? ORDER BY seq").bind(0, scope)
                .map(mapper).list());
    }

    List<Webhook> all() {
        return jdbi.withHandle(h -> h.createQuery(SELECT + " ORDER BY seq").map(mapper).list());
    }

    Optional<Webhook> find(String id) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + " WHERE id = ?").bind(0, id).map(mapper).findOne());
    }

    void delete(String id) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM webhooks WHERE id = ?").bind(0, id).execute());
    }

    Webhook.Counts counts(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT sent, succeeded, failed, skipped, last_error, last_error_at FROM webhooks WHERE id = ?")
                .bind(0, id).map((rs, ctx) -> new Webhook.Counts(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4),
                        rs.getString(5), rs.getObject(6, Long.class))).findOne().orElse(new Webhook.Counts(0, 0, 0, 0, null, null)));
    }

    /** Adds a node's counts since its last flush (a webhook deleted meanwhile is skipped). */
    void add(String id, long sent, long succeeded, long failed, long skipped, String lastError, Long lastErrorAt) {
        jdbi.useHandle(h -> {
            h.createUpdate("UPDATE webhooks SET sent = sent + ?, succeeded = succeeded + ?, failed = failed + ?, skipped = skipped + ? WHERE id = ?")
                    .bind(0, sent).bind(1, succeeded).bind(2, failed).bind(3, skipped).bind(4, id).execute();
            if (lastError != null) {
                h.createUpdate("UPDATE webhooks SET last_error = ?, last_error_at = ? WHERE id = ?")
                        .bind(0, lastError.length() > 500 ? lastError.substring(0, 500) : lastError).bind(1, lastErrorAt)
                        .bind(2, id).execute();
            }
        });
    }
}
