package io.boson.groups;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.PreparedBatch;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

public final class GroupRepository {

    private static final String SELECT = """
            SELECT g.id, g.product_id, g.name, g.description, g.color,
                   (SELECT COUNT(*) FROM device_group_members m WHERE m.group_id = g.id)
            FROM device_groups g""";
    private static final RowMapper<Group> MAPPER = (rs, ctx) -> new Group(rs.getLong(1), rs.getLong(2), rs.getString(3),
            rs.getString(4), rs.getString(5), rs.getLong(6));

    private final Jdbi jdbi;

    public GroupRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public List<Group> list(long productId, String namePart) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + " WHERE g.product_id = ? AND g.name LIKE ? ORDER BY g.name")
                .bind(0, productId).bind(1, "%" + (namePart == null ? "" : namePart.replace("%", "\\%").replace("_", "\\_")) + "%")
                .map(MAPPER).list());
    }

    public Optional<Group> find(long productId, String name) {
        return jdbi.withHandle(h -> find(h, productId, name));
    }

    private static Optional<Group> find(Handle h, long productId, String name) {
        return h.createQuery(SELECT + " WHERE g.product_id = ? AND g.name = ?").bind(0, productId).bind(1, name)
                .map(MAPPER).findOne();
    }

    public void create(long productId, String name, String description, String color, long now) {
        jdbi.useHandle(h -> insert(h, productId, name, description, color, now));
    }

    private static void insert(Handle h, long productId, String name, String description, String color, long now) {
        h.createUpdate("INSERT INTO device_groups(product_id, name, description, color, created_at) VALUES (?, ?, ?, ?, ?)")
                .bind(0, productId).bind(1, name).bind(2, description).bind(3, color).bind(4, now).execute();
    }

    public void update(long groupId, String name, String description, String color) {
        jdbi.useTransaction(h -> {
            h.createUpdate("UPDATE device_groups SET name = ?, description = ?, color = ? WHERE id = ?")
                    .bind(0, name).bind(1, description).bind(2, color).bind(3, groupId).execute();
            // Releases name their groups: a renamed group changes what they say (firmware keeps them in memory).
            h.createUpdate("""
                            UPDATE products SET release_generation = release_generation + 1
                            WHERE id = (SELECT product_id FROM device_groups WHERE id = ?)""").bind(0, groupId).execute();
        });
    }

    /**
     * Deleting a group takes it off all its devices (ON DELETE CASCADE). Returns the devices it had,
     * or empty when there was no such group.
     */
    public java.util.Optional<List<String>> delete(long productId, String name) {
        return jdbi.inTransaction(h -> {
            List<String> members = h.createQuery("""
                            SELECT m.device_id FROM device_group_members m JOIN device_groups g ON g.id = m.group_id
                            WHERE g.product_id = ? AND g.name = ?""")
                    .bind(0, productId).bind(1, name).mapTo(String.class).list();
            int deleted = h.createUpdate("DELETE FROM device_groups WHERE product_id = ? AND name = ?")
                    .bind(0, productId).bind(1, name).execute();
            // Its releases to this group are gone with it (ON DELETE CASCADE).
            if (deleted > 0) io.boson.firmware.FirmwareRepository.bumpReleaseGeneration(h, productId);
            return deleted > 0 ? java.util.Optional.of(members) : java.util.Optional.<List<String>>empty();
        });
    }

    /** Adds and removes memberships for many devices in one transaction, creating missing groups. */
    public void edit(long productId, Collection<String> deviceIds, Collection<String> add, Collection<String> remove,
                     boolean replace, GroupNames names, long now) {
        jdbi.useTransaction(h -> {
            for (String name : add) {
                if (find(h, productId, name).isEmpty()) insert(h, productId, name, null, names.colorFor(name), now);
            }
            if (replace && !deviceIds.isEmpty()) {
                h.createUpdate("""
                                DELETE FROM device_group_members WHERE device_id IN (<ids>)
                                AND group_id IN (SELECT id FROM device_groups WHERE product_id = :p)""")
                        .bindList("ids", List.copyOf(deviceIds)).bind("p", productId).execute();
            }
            for (String name : remove) {
                find(h, productId, name).ifPresent(g -> h.createUpdate(
                                "DELETE FROM device_group_members WHERE group_id = :g AND device_id IN (<ids>)")
                        .bind("g", g.id()).bindList("ids", List.copyOf(deviceIds)).execute());
            }
            for (String name : add) {
                long groupId = find(h, productId, name).orElseThrow().id();
                if (deviceIds.isEmpty()) continue;
                // Delete-then-insert keeps adding idempotent on both H2 and PostgreSQL.
                h.createUpdate("DELETE FROM device_group_members WHERE group_id = :g AND device_id IN (<ids>)")
                        .bind("g", groupId).bindList("ids", List.copyOf(deviceIds)).execute();
                PreparedBatch batch = h.prepareBatch("INSERT INTO device_group_members(group_id, device_id) VALUES (?, ?)");
                for (String id : deviceIds) batch.bind(0, groupId).bind(1, id).add();
                batch.execute();
            }
        });
    }

    /**
     * How many of {@code deviceIds} are in the product. Looked up by primary key and filtered here:
     * with the product in the WHERE clause H2 walks the whole product testing the IN list per row.
     */
    public long countInProduct(long productId, Collection<String> deviceIds) {
        if (deviceIds.isEmpty()) return 0;
        List<String> ids = List.copyOf(deviceIds);
        long count = 0;
        for (int i = 0; i < ids.size(); i += 1000) {
            List<String> chunk = ids.subList(i, Math.min(ids.size(), i + 1000));
            count += jdbi.withHandle(h -> h.createQuery("SELECT product_id FROM devices WHERE id IN (<ids>)")
                    .bindList("ids", chunk).mapTo(Long.class).list()).stream()
                    .filter(p -> p != null && p == productId).count();
        }
        return count;
    }

    /** Functional interface so the repository can colour groups it creates. */
    public interface GroupNames {
        String colorFor(String name);
    }
}
