package io.boson.usage;

import io.boson.audit.AuditLog;
import io.boson.devices.Device;
import io.boson.devices.Scope;
import io.boson.errors.DomainException;
import io.boson.events.EventService;
import io.boson.products.Product;
import io.boson.products.ProductService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Decides what usage means: writes the {@link Meter}'s counts every flush interval, notices the
 * 70/90/100 % thresholds of each owner's limits, pauses Free owners past the grace period, and
 * answers the gateway's one question at CONNECT (may this device connect?) and the call path's
 * (may the API reach this device?).
 *
 * <p>Every node runs the same tick on its own counts. Notifications and pauses are rows with unique
 * keys, so whichever node notices first records them and announces them once; every node reads
 * the month's paused owners on each tick and closes its own sessions of owners newly paused.
 */
public final class UsageService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UsageService.class);
    static final int[] THRESHOLDS = {70, 90, 100};
    static final String DATA_OPERATIONS = "data_operations";
    static final String CELLULAR = "cellular_data";
    static final String DEVICES = "devices";

    private final UsageSettings settings;
    private final Meter meter;
    private final UsageRepository repo;
    private final ProductService products;
    private final EventService events;
    private final AuditLog audit;
    private final Clock clock;
    private final Set<String> touched = ConcurrentHashMap.newKeySet();
    private final List<Consumer<String>> pauseListeners = new CopyOnWriteArrayList<>();
    /** The owners paused in {@link #pausedMonth}; replaced as a whole on each tick. */
    private volatile Set<String> paused = Set.of();
    private volatile int pausedMonth;

    public UsageService(UsageSettings settings, Meter meter, UsageRepository repo, ProductService products, EventService events,
                        AuditLog audit, Clock clock) {
        this.settings = settings;
        this.meter = meter;
        this.repo = repo;
        this.products = products;
        this.events = events;
        this.audit = audit;
        this.clock = clock;
    }

    public static UsageService create(UsageSettings settings, org.jdbi.v3.core.Jdbi jdbi, boolean postgres, ProductService products,
                                      EventService events, AuditLog audit, Clock clock) {
        return new UsageService(settings, new Meter(settings.metering(), clock), new UsageRepository(jdbi, postgres), products,
                events, audit, clock);
    }

    public Meter meter() {
        return meter;
    }

    public UsageSettings settings() {
        return settings;
    }

    UsageRepository repository() {
        return repo;
    }

    Clock clock() {
        return clock;
    }

    YearMonth thisMonth() {
        return YearMonth.from(LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC));
    }

    // --- who pays ----------------------------------------------------------------------------------

    /** The billing owner of a device: its product's org, else the product's owner; a developer device's owner. */
    public Meter.Billing billing(Device d) {
        if (d.productId() != null) {
            Optional<Product> p = products.find(d.productId());
            if (p.isEmpty()) return new Meter.Billing(null, d.productId());
            return new Meter.Billing(ownerOf(p.get()), d.productId());
        }
        return new Meter.Billing(d.ownerId() == null ? null : Scope.user(d.ownerId()), null);
    }

    static String ownerOf(Product p) {
        if (p.orgId() != null) return Scope.org(p.orgId());
        return p.ownerUserId() == null ? null : Scope.user(p.ownerUserId());
    }

    // --- CONNECT and calls -----------------------------------------------------------------------

    /**
     * The gateway's question at CONNECT: empty when the device may connect, else why not. A device
     * counts toward its owner's device limit from its first connection; on Free the one past the
     * limit is refused then. Devices of a paused owner are refused.
     */
    public Optional<String> admit(Device d) {
        if (!meter.on()) return Optional.empty();
        Meter.Billing b = billing(d);
        meter.billing(d.id(), b);
        if (b.owner() == null) return Optional.empty();
        if (paused(b.owner())) return Optional.of(pausedReason());
        return countDevice(b.owner(), d.id());
    }

    /**
     * Counts the device toward its payer's devices from now on; or, when the payer's plan pauses and
     * its device limit is reached, why the device may not communicate (it is then not counted).
     */
    private Optional<String> countDevice(String owner, String deviceId) {
        if (repo.counted(owner, deviceId)) return Optional.empty();
        Plan plan = plan(owner);
        if (plan.pauses() && plan.limits().devices() > 0 && repo.deviceCount(owner) >= plan.limits().devices()) {
            return Optional.of("Device limit reached: the " + plan.kind().apiName() + " plan allows "
                    + plan.limits().devices() + " devices");
        }
        if (repo.count(owner, deviceId, clock.millis())) touched.add(owner);
        return Optional.empty();
    }

    /**
     * A connected device changed hands (claimed, moved between products): its usage goes to the new
     * payer from now on, and it counts toward the new payer's devices. {@code placement} is as
     * {@link Scope#placement} writes it. Returns why the device must now stop communicating, if it must.
     */
    public Optional<String> rebill(String deviceId, String placement) {
        if (!meter.on()) return Optional.empty();
        String scope = Scope.scopeOf(placement);
        Meter.Billing b;
        if (scope.startsWith("p")) {
            long productId = Long.parseLong(scope.substring(1));
            b = new Meter.Billing(products.find(productId).map(UsageService::ownerOf).orElse(null), productId);
        } else {
            b = new Meter.Billing(scope.startsWith("u") ? scope : null, null);
        }
        meter.billing(deviceId, b);
        // A device that connected unowned and was then claimed counts from now on, and past a Free
        // owner's device limit it is refused as it would have been at CONNECT.
        return b.owner() == null ? Optional.empty() : countDevice(b.owner(), deviceId);
    }

    /** Throws when the device's owner is paused: the API may not reach the device. */
    public void requireActive(Device d) {
        // Nobody paused (the usual case): nothing to look up on the call path.
        if (!meter.on() || paused.isEmpty()) return;
        String owner = billing(d).owner();
        if (owner != null && paused(owner)) throw new DomainException.QuotaExceeded(pausedReason());
    }

    private String pausedReason() {
        return "Device communication is paused: the monthly Data Operations or cellular data limit of the free plan was reached";
    }

    boolean paused(String owner) {
        return pausedMonth == Plan.key(thisMonth()) && paused.contains(owner);
    }

    /** Called with an owner whose devices must be disconnected now. */
    public void onPause(Consumer<String> listener) {
        pauseListeners.add(listener);
    }

    // --- the tick ---------------------------------------------------------------------------------

    /** Writes the counts, checks thresholds and the grace period, refreshes who is paused. */
    public synchronized void flush() {
        List<Meter.Count> counts = meter.drain();
        if (!counts.isEmpty()) {
            List<UsageRepository.Row> rows = new ArrayList<>(counts.size());
            for (Meter.Count c : counts) {
                Meter.Billing b = meter.billingOf(c.deviceId());
                if (b == null) b = new Meter.Billing(null, null);
                rows.add(new UsageRepository.Row(c.deviceId(), (int) c.day(), b.owner(), b.productId(), c.dataOperations(),
                        c.cellularBytes()));
                if (b.owner() != null) touched.add(b.owner());
            }
            try {
                repo.add(rows);
            } catch (RuntimeException e) {
                meter.restore(counts);
                throw e;
            }
        }
        if (!meter.on()) return;
        Set<String> owners = new HashSet<>(touched);
        touched.removeAll(owners);
        for (String owner : owners) {
            try {
                evaluate(owner);
            } catch (RuntimeException e) {
                touched.add(owner);
                log.warn("could not check the usage of {}: {}", owner, e.toString());
            }
        }
        pauseAfterGrace();
        refreshPaused();
    }

    /** Usage of an owner against each limit of its plan, now. */
    record Standing(Plan plan, long dataOps, long cellBytes, long devices) {
        long used(String resource) {
            return switch (resource) {
                case DATA_OPERATIONS -> dataOps;
                case CELLULAR -> cellBytes;
                default -> devices;
            };
        }

        long limit(String resource) {
            return switch (resource) {
                case DATA_OPERATIONS -> plan.limits().dataOperations();
                case CELLULAR -> plan.limits().cellularBytes();
                default -> plan.limits().devices();
            };
        }
    }

    Standing standing(String owner) {
        Plan plan = plan(owner);
        UsageRepository.Totals t = repo.ownerTotals(owner, plan.periodKey(), plan.periodEndKey());
        return new Standing(plan, t.dataOps(), t.cellBytes(), repo.deviceCount(owner));
    }

    private void evaluate(String owner) {
        Standing s = standing(owner);
        long now = clock.millis();
        for (String resource : List.of(DATA_OPERATIONS, CELLULAR, DEVICES)) {
            long limit = s.limit(resource);
            long used = s.used(resource);
            if (limit <= 0) continue;
            for (int t : THRESHOLDS) {
                if (used * 100 < limit * t) break;
                String details = resource + " at " + t + " % of the " + s.plan().kind().apiName() + " plan: " + used + " of " + limit;
                if (repo.notifyOnce(owner, s.plan().periodKey(), "usage_threshold", resource, t, limit, now, details)) {
                    announce(owner, "threshold", "usage." + resource + "." + t, Map.of("resource", resource, "threshold", t,
                            "used", used, "limit", limit), details);
                }
            }
            if (s.plan().kind() == Plan.Kind.GROWTH && used > limit) addBlock(owner, s.plan(), resource, now);
        }
    }

    /** Growth: a month over its blocks' limits is billed one more block from the next month on. */
    private void addBlock(String owner, Plan plan, String resource, long now) {
        int next = plan.blocks() + 1;
        int from = Plan.key(plan.periodStart().plusMonths(1));
        if (repo.raiseBlocks(owner, next, from, now)) {
            String details = resource + " went over " + plan.blocks() + " block(s); " + next + " blocks from " + Plan.month(from);
            repo.notifyOnce(owner, plan.periodKey(), "blocks_added", resource, next, next, now, details);
            announce(owner, "blocks_added", "usage.blocks_added", Map.of("resource", resource, "blocks", next,
                    "from", Plan.month(from).toString()), details);
        }
    }

    private void pauseAfterGrace() {
        YearMonth month = thisMonth();
        long now = clock.millis();
        Set<String> seen = new HashSet<>();
        for (UsageRepository.Notification n : repo.fullSince(Plan.key(month), now - settings.grace().toMillis())) {
            if (!seen.add(n.owner()) || paused(n.owner())) continue;
            Standing s = standing(n.owner());
            String over = null;
            for (String resource : List.of(DATA_OPERATIONS, CELLULAR)) {
                if (s.limit(resource) > 0 && s.used(resource) >= s.limit(resource)) over = resource;
            }
            if (!s.plan().pauses() || over == null) continue;
            if (repo.pause(n.owner(), Plan.key(month), over, now)) {
                String details = "Device communication paused until " + month.plusMonths(1).atDay(1) + ": " + over
                        + " limit of the free plan reached";
                repo.notifyOnce(n.owner(), Plan.key(month), "communication_paused", over, 100, s.limit(over), now, details);
                announce(n.owner(), "paused", "usage.paused", Map.of("resource", over, "until", month.plusMonths(1).atDay(1).toString()),
                        details);
            }
        }
    }

    private void refreshPaused() {
        int month = Plan.key(thisMonth());
        Set<String> now = repo.paused(month);
        Set<String> before = pausedMonth == month ? paused : Set.of();
        paused = Set.copyOf(now);
        pausedMonth = month;
        for (String owner : now) {
            if (before.contains(owner)) continue;
            for (Consumer<String> l : pauseListeners) l.accept(owner);
        }
    }

    /** A system event in the owner's stream and an audit entry, once per notification. */
    private void announce(String owner, String what, String action, Map<String, Object> data, String details) {
        String json;
        try {
            json = JSON.writeValueAsString(data);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        events.cloud(owner, "spark/usage/" + what, json);
        audit.recordSystem(owner.startsWith("o") ? Long.valueOf(owner.substring(1)) : null, action, owner, details);
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    // --- plans ------------------------------------------------------------------------------------

    public Plan plan(String owner) {
        return Plan.of(repo.plan(owner).orElse(null), settings, thisMonth());
    }

    /** The platform admin's change of an owner's plan; a paused owner resumes at once. */
    void changePlan(io.boson.auth.Principal admin, String owner, UsageRepository.PlanRow row) {
        long now = clock.millis();
        repo.savePlan(row, now);
        audit.recordSystem(owner.startsWith("o") ? Long.valueOf(owner.substring(1)) : null, "usage.plan", owner,
                "by " + admin.username() + ": " + row.plan() + (row.plan().equals("growth") ? " blocks=" + row.blocks() : ""));
        int month = Plan.key(thisMonth());
        if (repo.resume(owner, month)) {
            repo.notifyOnce(owner, month, "communication_resumed", "plan", 0, now, now, "Device communication resumed: plan changed to "
                    + row.plan());
            announce(owner, "resumed", "usage.resumed", Map.of("plan", row.plan()), "plan changed to " + row.plan());
        }
        touched.add(owner);
        refreshPaused();
    }

    /** Writes what is left in the meter: a clean stop loses nothing. */
    @Override
    public void close() {
        try {
            flush();
        } catch (RuntimeException e) {
            log.error("could not write the last usage counts: {}", e.toString());
        }
    }

}
