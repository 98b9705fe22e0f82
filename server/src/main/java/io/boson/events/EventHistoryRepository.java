package io.boson.events;

import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** The event_history and event_nodes tables: batched inserts, id-ordered reads, pruning, node tags. */
final class EventHistoryRepository {

    /** An event with the id it was published with. */
    record Stored(long id, Event event) {
    }

    /** A node's tag and the last id it made. */
    record Node(int tag, long lastId) {
    }

    private static final String COLUMNS = "id, scope, name, data, base64, ttl, published_at, coreid, product_id";

    private final Jdbi jdbi;

    EventHistoryRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    void insert(List<Stored> rows) {
        if (rows.isEmpty()) return;
        jdbi.useHandle(h -> insert(h, rows));
    }

    /**
     * A flush: the events, in batches of {@code batch}, and the node's last id, in one transaction.
     * One commit per flush, not one per batch and one more for the id: on H2 every commit writes a
     * chunk of the store to the file (WRITE_DELAY=0), the largest cost of keeping history.
     */
    void insertAndSaveLastId(List<Stored> rows, int batch, String nodeId, long lastId) {
        jdbi.useTransaction(h -> {
            for (int from = 0; from < rows.size(); from += batch) insert(h, rows.subList(from, Math.min(rows.size(), from + batch)));
            h.createUpdate("UPDATE event_nodes SET last_id = ?, running = ? WHERE node_id = ?")
                    .bind(0, lastId).bind(1, true).bind(2, nodeId).execute();
        });
    }

    private static void insert(org.jdbi.v3.core.Handle h, List<Stored> rows) {
        if (rows.isEmpty()) return;
        PreparedBatch b = h.prepareBatch("INSERT INTO event_history(" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
        for (Stored s : rows) {
            Event e = s.event();
            b.bind(0, s.id()).bind(1, e.scope()).bind(2, e.name()).bind(3, e.data()).bind(4, e.base64())
                    .bind(5, e.ttl()).bind(6, e.publishedAt()).bind(7, e.coreid())
                    .bindByType(8, e.productId(), Integer.class);
            b.add();
        }
        b.execute();
    }

    /** Events of a scope with ids above {@code afterId}, oldest first. */
    List<Stored> after(String scope, long afterId, int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM event_history WHERE scope = ? AND id > ? ORDER BY id LIMIT ?")
                .bind(0, scope).bind(1, afterId).bind(2, limit)
                .map((rs, ctx) -> row(rs)).list());
    }

    /** Events of a scope (one device's when {@code coreid} is given) with ids in [fromId, beforeId), newest first. */
    List<Stored> page(String scope, String coreid, long fromId, long beforeId, int limit) {
        String sql = "SELECT " + COLUMNS + " FROM event_history WHERE scope = ?"
                + (coreid == null ? "" : " AND coreid = ?") + " AND id >= ? AND id < ? ORDER BY id DESC LIMIT ?";
        return jdbi.withHandle(h -> {
            var q = h.createQuery(sql);
            int i = 0;
            q.bind(i++, scope);
            if (coreid != null) q.bind(i++, coreid);
            q.bind(i++, fromId).bind(i++, beforeId).bind(i, limit);
            return q.map((rs, ctx) -> row(rs)).list();
        });
    }

    int prune(long beforeId) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM event_history WHERE id < ?").bind(0, beforeId).execute());
    }

    private static Stored row(ResultSet rs) throws SQLException {
        String scope = rs.getString(2);
        Integer product = rs.getObject(9, Integer.class);
        return new Stored(rs.getLong(1), new Event(rs.getString(3), rs.getString(4), rs.getBoolean(5), rs.getInt(6),
                rs.getLong(7), rs.getString(8), scope, product, null));
    }

    /** This node's tag, taking the next free one on its first start; marks the node running. */
    Node register(String nodeId) {
        for (int attempt = 0; ; attempt++) {
            try {
                return jdbi.inTransaction(h -> {
                    Optional<Node> known = h.createQuery("SELECT tag, last_id FROM event_nodes WHERE node_id = ?")
                            .bind(0, nodeId).map((rs, ctx) -> new Node(rs.getInt(1), rs.getLong(2))).findOne();
                    if (known.isPresent()) {
                        h.createUpdate("UPDATE event_nodes SET running = TRUE WHERE node_id = ?").bind(0, nodeId).execute();
                        return known.get();
                    }
                    int tag = h.createQuery("SELECT COALESCE(MAX(tag) + 1, 0) FROM event_nodes").mapTo(Integer.class).one();
                    if (tag >= EventIds.MAX_TAGS) {
                        throw new IllegalStateException("event ids have room for " + EventIds.MAX_TAGS + " node ids; remove old"
                                + " rows from event_nodes to reuse their tags");
                    }
                    h.createUpdate("INSERT INTO event_nodes(node_id, tag, last_id, running) VALUES (?, ?, 0, TRUE)")
                            .bind(0, nodeId).bind(1, tag).execute();
                    return new Node(tag, 0);
                });
            } catch (org.jdbi.v3.core.statement.UnableToExecuteStatementException e) {
                if (attempt >= 5) throw e; // another node took the same tag at the same time: try the next
            }
        }
    }

    void saveLastId(String nodeId, long lastId, boolean running) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE event_nodes SET last_id = ?, running = ? WHERE node_id = ?")
                .bind(0, lastId).bind(1, running).bind(2, nodeId).execute());
    }

    /**
     * Tags of the nodes that are running: not stopped cleanly, and still beating in the cluster's
     * liveness table (health's NodeWatch removes a node whose beat stopped), so a killed node is
     * not waited for once the cluster has noticed.
     */
    List<Integer> runningTags() {
        return jdbi.withHandle(h -> h.createQuery("SELECT tag FROM event_nodes WHERE running = TRUE"
                + " AND node_id IN (SELECT node_id FROM cluster_nodes)").mapTo(Integer.class).list());
    }
}
