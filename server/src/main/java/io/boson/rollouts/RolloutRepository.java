package io.boson.rollouts;

import io.boson.firmware.JobState;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Rollouts, their waves, which device is in which wave, and the lease of the node that drives each. */
public final class RolloutRepository {

    private static final String ROLLOUT = """
            SELECT id, product_id, version, state, target_groups, requires_approval, wait_millis, current_wave, next_wave_at,
                   errors_since, pause_reason, retired, created_at, updated_at, lease_owner, lease_until, created_by
            FROM rollouts""";

    private final Jdbi jdbi;

    public RolloutRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** A device of the product as a rollout sees it. */
    public record DeviceRow(String id, boolean development, Integer productVersion, boolean online, Integer lockedVersion,
                            Integer jobVersion, JobState state, Long jobUpdatedAt, Long nextAttemptAt) {
    }

    /** A device's place in an unfinished (or cancelled, unretired) rollout, for the release precedence. */
    public record Placement(long rolloutId, int version, RolloutState state, int currentWave, int wave) {
    }

    public long insert(long productId, int version, RolloutState state, List<String> targetGroups, boolean requiresApproval,
                       long waitMillis, List<Wave> waves, long userId, long now) {
        return jdbi.inTransaction(h -> {
            long id = h.createUpdate("""
                            INSERT INTO rollouts(product_id, version, state, target_groups, requires_approval, wait_millis,
                                created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                    .bind(0, productId).bind(1, version).bind(2, state.wire())
                    .bind(3, targetGroups.isEmpty() ? null : String.join(",", targetGroups)).bind(4, requiresApproval)
                    .bind(5, waitMillis).bind(6, userId).bind(7, now).bind(8, now)
                    .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
            for (Wave w : waves) {
                h.createUpdate("""
                                INSERT INTO rollout_waves(rollout_id, idx, percent, group_name, success_threshold, error_threshold)
                                VALUES (?, ?, ?, ?, ?, ?)""")
                        .bind(0, id).bind(1, w.index()).bind(2, w.percent()).bind(3, w.group()).bind(4, w.successThreshold())
                        .bind(5, w.errorThreshold()).execute();
            }
            return id;
        });
    }

    public Optional<Rollout> find(long productId, long id) {
        return jdbi.withHandle(h -> h.createQuery(ROLLOUT + " WHERE product_id = ? AND id = ?").bind(0, productId).bind(1, id)
                .map((rs, ctx) -> row(rs)).findOne().map(r -> withWaves(h, r)));
    }

    public Optional<Rollout> find(long id) {
        return jdbi.withHandle(h -> h.createQuery(ROLLOUT + " WHERE id = ?").bind(0, id)
                .map((rs, ctx) -> row(rs)).findOne().map(r -> withWaves(h, r)));
    }

    /** The product's rollouts, newest first. */
    public List<Rollout> list(long productId) {
        return jdbi.withHandle(h -> h.createQuery(ROLLOUT + " WHERE product_id = ? ORDER BY id DESC").bind(0, productId)
                .map((rs, ctx) -> row(rs)).list().stream().map(r -> withWaves(h, r)).toList());
    }

    private static Rollout row(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Rollout(rs.getLong(1), rs.getLong(2), rs.getInt(3), RolloutState.of(rs.getString(4)), split(rs.getString(5)),
                rs.getBoolean(6), rs.getLong(7), rs.getInt(8), rs.getObject(9, Long.class), rs.getLong(10), rs.getString(11),
                rs.getBoolean(12), rs.getLong(13), rs.getLong(14), rs.getString(15), rs.getObject(16, Long.class), List.of(),
                rs.getObject(17, Long.class));
    }

    private static Rollout withWaves(Handle h, Rollout r) {
        List<Wave> waves = h.createQuery("""
                        SELECT idx, percent, group_name, success_threshold, error_threshold, started_at FROM rollout_waves
                        WHERE rollout_id = ? ORDER BY idx""").bind(0, r.id())
                .map((w, ctx) -> new Wave(w.getInt(1), w.getObject(2, Integer.class), w.getString(3), w.getInt(4), w.getInt(5),
                        w.getObject(6, Long.class))).list();
        return new Rollout(r.id(), r.productId(), r.version(), r.state(), r.targetGroups(), r.requiresApproval(), r.waitMillis(),
                r.currentWave(), r.nextWaveAt(), r.errorsSince(), r.pauseReason(), r.retired(), r.createdAt(), r.updatedAt(),
                r.leaseOwner(), r.leaseUntil(), waves, r.createdBy());
    }

    /** The product's unfinished rollouts (created, approved, running or paused). */
    public List<Rollout> unfinished(long productId) {
        return list(productId).stream().filter(r -> r.state().active()).toList();
    }

    /** Rollouts a scheduler has work on: running, or approved and waiting to start. */
    public List<Long> drivable() {
        return jdbi.withHandle(h -> h.createQuery("SELECT id FROM rollouts WHERE state IN ('running', 'approved') ORDER BY id")
                .mapTo(Long.class).list());
    }

    /**
     * Takes or renews the lease on a rollout for {@code node} until {@code until}: true when this node
     * holds it now (it had it, nobody had it, or the holder let it expire).
     */
    public boolean lease(long id, String node, long now, long until) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE rollouts SET lease_owner = ?, lease_until = ?
                        WHERE id = ? AND (lease_owner IS NULL OR lease_owner = ? OR lease_until IS NULL OR lease_until < ?)""")
                .bind(0, node).bind(1, until).bind(2, id).bind(3, node).bind(4, now).execute() == 1);
    }

    /** Moves the rollout from one of {@code from} to {@code to}; false when it was in none of them. */
    public boolean transition(long id, List<RolloutState> from, RolloutState to, String pauseReason, Long errorsSince, long now) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE rollouts SET state = :to, pause_reason = :reason, updated_at = :now,
                            errors_since = COALESCE(:since, errors_since), next_wave_at = CASE WHEN :to = 'running' THEN next_wave_at ELSE NULL END
                        WHERE id = :id AND state IN (<from>)""")
                .bind("to", to.wire()).bind("reason", pauseReason).bind("now", now).bind("since", errorsSince).bind("id", id)
                .bindList("from", from.stream().map(RolloutState::wire).toList()).execute() == 1);
    }

    /** Records a tick's progress, only while the rollout is still running (a pause or cancel from elsewhere wins). */
    public boolean progress(long id, int currentWave, Long nextWaveAt, List<Integer> startedWaves, long now) {
        return jdbi.inTransaction(h -> {
            boolean ok = h.createUpdate("""
                            UPDATE rollouts SET current_wave = ?, next_wave_at = ?, last_tick_at = ?,
                                updated_at = CASE WHEN current_wave <> ? THEN ? ELSE updated_at END
                            WHERE id = ? AND state = 'running'""")
                    .bind(0, currentWave).bind(1, nextWaveAt).bind(2, now).bind(3, currentWave).bind(4, now).bind(5, id)
                    .execute() == 1;
            for (int w : ok ? startedWaves : List.<Integer>of()) {
                h.createUpdate("UPDATE rollout_waves SET started_at = ? WHERE rollout_id = ? AND idx = ? AND started_at IS NULL")
                        .bind(0, now).bind(1, id).bind(2, w).execute();
            }
            return ok;
        });
    }

    public Long lastTick(long id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT last_tick_at FROM rollouts WHERE id = ?").bind(0, id)
                .mapTo(Long.class).findOne().orElse(null));
    }

    /** Which wave each assigned device is in. */
    public Map<String, Integer> assignments(long id) {
        Map<String, Integer> out = new HashMap<>();
        jdbi.useHandle(h -> h.createQuery("SELECT device_id, wave FROM rollout_devices WHERE rollout_id = ?").bind(0, id)
                .setFetchSize(10_000).map((rs, ctx) -> Map.entry(rs.getString(1), rs.getInt(2)))
                .forEach(e -> out.put(e.getKey(), e.getValue())));
        return out;
    }

    public void assign(long id, Map<String, Integer> waves) {
        if (waves.isEmpty()) return;
        jdbi.useTransaction(h -> {
            PreparedBatch b = h.prepareBatch("INSERT INTO rollout_devices(rollout_id, device_id, wave) VALUES (?, ?, ?)");
            waves.forEach((device, wave) -> b.bind(0, id).bind(1, device).bind(2, wave).add());
            b.execute();
        });
    }

    /** The online devices of the waves up to {@code maxWave}. */
    public List<String> onlineDevices(long id, int maxWave) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT rd.device_id FROM rollout_devices rd JOIN devices d ON d.id = rd.device_id
                        WHERE rd.rollout_id = ? AND rd.wave <= ? AND d.online""").bind(0, id).bind(1, maxWave)
                .mapTo(String.class).list());
    }

    /** The online devices of one wave. */
    public List<String> onlineDevicesOfWave(long id, int wave) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT rd.device_id FROM rollout_devices rd JOIN devices d ON d.id = rd.device_id
                        WHERE rd.rollout_id = ? AND rd.wave = ? AND d.online""").bind(0, id).bind(1, wave)
                .mapTo(String.class).list());
    }

    /** Every device of the product with what it runs, its lock and its current or last update job. */
    public List<DeviceRow> devices(long productId) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT d.id, d.development, d.product_version, d.online, f.locked_version, f.job_version, f.state,
                               f.updated_at, f.next_attempt_at
                        FROM devices d LEFT JOIN device_firmware f ON f.device_id = d.id WHERE d.product_id = ?""")
                .bind(0, productId).setFetchSize(10_000)
                .map((rs, ctx) -> new DeviceRow(rs.getString(1), rs.getBoolean(2), rs.getObject(3, Integer.class), rs.getBoolean(4),
                        rs.getObject(5, Integer.class), rs.getObject(6, Integer.class), JobState.of(rs.getString(7)),
                        rs.getObject(8, Long.class), rs.getObject(9, Long.class))).list());
    }

    /**
     * The product's devices whose update job moved at or after {@code since} (by the clock). The only
     * condition is on the jobs' {@code updated_at} index, so the database starts from the few moved
     * jobs and joins their devices by key; the product is checked here (a condition on it lets H2
     * walk the whole product instead).
     */
    public List<DeviceRow> changedSince(long productId, long since) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT d.id, d.development, d.product_version, d.online, f.locked_version, f.job_version, f.state,
                               f.updated_at, f.next_attempt_at, d.product_id
                        FROM device_firmware f JOIN devices d ON d.id = f.device_id WHERE f.updated_at >= ?""")
                .bind(0, since)
                .map((rs, ctx) -> rs.getLong(10) != productId ? null : new DeviceRow(rs.getString(1), rs.getBoolean(2),
                        rs.getObject(3, Integer.class), rs.getBoolean(4), rs.getObject(5, Integer.class), rs.getObject(6, Integer.class),
                        JobState.of(rs.getString(7)), rs.getObject(8, Long.class), rs.getObject(9, Long.class)))
                .list().stream().filter(java.util.Objects::nonNull).toList());
    }

    /** The running rollouts of these devices' products re-read all their devices at the next tick. */
    public void markRescan(java.util.Collection<String> deviceIds) {
        List<String> ids = List.copyOf(deviceIds);
        jdbi.useHandle(h -> {
            for (int i = 0; i < ids.size(); i += 1000) {
                h.createUpdate("""
                                UPDATE rollouts SET rescan = TRUE WHERE state IN ('running', 'approved')
                                AND product_id IN (SELECT product_id FROM devices WHERE id IN (<ids>))""")
                        .bindList("ids", ids.subList(i, Math.min(ids.size(), i + 1000))).execute();
            }
        });
    }

    /** Clears the rescan flag; true when it was set. */
    public boolean takeRescan(long id) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE rollouts SET rescan = FALSE WHERE id = ? AND rescan")
                .bind(0, id).execute() == 1);
    }

    /** The groups of each device of the product that is in any. */
    public Map<String, List<String>> groups(long productId) {
        Map<String, List<String>> out = new HashMap<>();
        jdbi.useHandle(h -> h.createQuery("""
                        SELECT m.device_id, g.name FROM device_group_members m JOIN device_groups g ON g.id = m.group_id
                        WHERE g.product_id = ?""").bind(0, productId).setFetchSize(10_000)
                .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2)))
                .forEach(e -> out.computeIfAbsent(e.getKey(), k -> new ArrayList<>(2)).add(e.getValue())));
        return out;
    }

    private static final String PLACEMENT = """
            SELECT r.id, r.version, r.state, r.current_wave, rd.wave, rd.device_id
            FROM rollout_devices rd JOIN rollouts r ON r.id = rd.rollout_id
            WHERE r.product_id = :p AND (r.state IN ('running', 'paused') OR (r.state = 'cancelled' AND NOT r.retired))""";

    /** The device's places in rollouts that can still give it a target, newest rollout first. */
    public List<Placement> placements(long productId, String deviceId) {
        return jdbi.withHandle(h -> h.createQuery(PLACEMENT + " AND rd.device_id = :d ORDER BY r.id DESC")
                .bind("p", productId).bind("d", deviceId)
                .map((rs, ctx) -> new Placement(rs.getLong(1), rs.getInt(2), RolloutState.of(rs.getString(3)), rs.getInt(4),
                        rs.getInt(5))).list());
    }

    /**
     * The same for these devices of the product (at most {@link #IDS_PER_QUERY}), each with its
     * rollouts newest first: by the device index, so that a page or a single device does not read
     * every rollout device of the product.
     */
    public Map<String, List<Placement>> placements(long productId, Collection<String> deviceIds) {
        Map<String, List<Placement>> out = new HashMap<>();
        if (deviceIds.isEmpty()) return out;
        jdbi.useHandle(h -> h.createQuery(PLACEMENT + " AND rd.device_id IN (<ids>) ORDER BY r.id DESC").bind("p", productId)
                .bindList("ids", List.copyOf(deviceIds))
                .map(PLACEMENT_BY_DEVICE).forEach(e -> out.computeIfAbsent(e.getKey(), k -> new ArrayList<>(1)).add(e.getValue())));
        return out;
    }

    private static final org.jdbi.v3.core.mapper.RowMapper<Map.Entry<String, Placement>> PLACEMENT_BY_DEVICE =
            (rs, ctx) -> Map.entry(rs.getString(6), new Placement(rs.getLong(1), rs.getInt(2), RolloutState.of(rs.getString(3)),
                    rs.getInt(4), rs.getInt(5)));

    /** The most device ids one placements query names (a list page is 25 to 100); more are read product-wide. */
    static final int IDS_PER_QUERY = 500;

    /** The same for every device of the product, each with its rollouts newest first. */
    public Map<String, List<Placement>> placements(long productId) {
        Map<String, List<Placement>> out = new HashMap<>();
        jdbi.useHandle(h -> h.createQuery(PLACEMENT + " ORDER BY r.id DESC").bind("p", productId).setFetchSize(10_000)
                .map(PLACEMENT_BY_DEVICE).forEach(e -> out.computeIfAbsent(e.getKey(), k -> new ArrayList<>(1)).add(e.getValue())));
        return out;
    }

    /** A release in the product: cancelled rollouts stop holding their updated devices on their version. */
    public void retireCancelled(long productId) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE rollouts SET retired = TRUE WHERE product_id = ? AND state = 'cancelled'")
                .bind(0, productId).execute());
    }

    static List<String> split(String csv) {
        return csv == null || csv.isBlank() ? List.of() : Arrays.asList(csv.split(","));
    }
}
