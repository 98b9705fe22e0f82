package io.boson.usage;

import io.boson.auth.Principal;
import io.boson.devices.Device;
import io.boson.devices.DeviceAccess;
import io.boson.devices.DeviceRef;
import io.boson.devices.Scope;
import io.boson.errors.DomainException;
import io.boson.orgs.OrgService;
import io.boson.products.Product;
import io.boson.products.ProductService;
import io.boson.team.Action;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the usage API may show to whom, and in which shape. An account sees its own agreement;
 * an organization's and a product's usage need the billing permission (Owner and Administrator);
 * only the platform admin assigns plans. Particle's shapes where Particle has them
 * ({@code service_agreements}, {@code notifications}, {@code usage_reports}, SIM data usage).
 */
public final class ServiceAgreements {

    private final UsageService usage;
    private final UsageReads reads;
    private final UsageReports reports;
    private final OrgService orgs;
    private final ProductService products;
    private final DeviceAccess devices;

    public ServiceAgreements(UsageService usage, org.jdbi.v3.core.Jdbi jdbi, OrgService orgs, ProductService products,
                             DeviceAccess devices) {
        this.usage = usage;
        this.reads = new UsageReads(jdbi);
        this.reports = new UsageReports(jdbi, reads);
        this.orgs = orgs;
        this.products = products;
        this.devices = devices;
    }

    java.time.Clock clock() {
        return usage.clock();
    }

    // --- whose ---------------------------------------------------------------------------------------

    /** The caller's own billing owner (developer devices and products outside organizations). */
    public String own(Principal caller) {
        caller.requirePerson("see usage");
        return Scope.user(caller.userId());
    }

    public String org(Principal caller, String org) {
        return Scope.org(orgs.require(caller, org, Action.VIEW_BILLING).id());
    }

    public Product product(Principal caller, String product) {
        return products.require(caller, product, Action.VIEW_BILLING);
    }

    /** The agreement id names its owner; another owner's id is not found. */
    public void requireAgreement(String owner, String id) {
        if (!owner.equals(id)) throw DomainException.notFound("Service agreement not found");
    }

    // --- service agreements ------------------------------------------------------------------------

    public Map<String, Object> agreement(String owner) {
        UsageService.Standing s = usage.standing(owner);
        Plan plan = s.plan();
        Map<String, Object> summary = new LinkedHashMap<>();
        boolean paused = usage.paused(owner);
        summary.put("device_limit_reached", plan.limits().devices() > 0 && s.devices() >= plan.limits().devices());
        boolean over = false;
        for (String r : List.of(UsageService.DATA_OPERATIONS, UsageService.CELLULAR, UsageService.DEVICES)) {
            over |= s.limit(r) > 0 && s.used(r) >= s.limit(r);
        }
        summary.put("usage_threshold_exceeded", over);
        summary.put("communication_paused", paused);
        summary.put("data_operations", counter(s.dataOps(), plan.limits().dataOperations()));
        summary.put("devices", counter(s.devices(), plan.limits().devices()));
        Map<String, Object> cell = new LinkedHashMap<>();
        cell.put("used_mb", mb(s.cellBytes()));
        cell.put("limit_mb", plan.limits().cellularBytes() == 0 ? null : mb(plan.limits().cellularBytes()));
        cell.put("percent", percent(s.cellBytes(), plan.limits().cellularBytes()));
        summary.put("cellular_data", cell);
        if (plan.kind() == Plan.Kind.ENTERPRISE) {
            summary.put("firmware_storage", counter(reads.firmwareBytes(owner), plan.limits().firmwareBytes()));
        }
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("agreement_type", plan.kind().apiName());
        attributes.put("name", switch (plan.kind()) {
            case FREE -> "Free";
            case GROWTH -> "Growth (" + plan.blocks() + " block" + (plan.blocks() == 1 ? "" : "s") + ")";
            case ENTERPRISE -> "Enterprise";
        });
        attributes.put("state", paused ? "paused" : "active");
        attributes.put("blocks", plan.kind() == Plan.Kind.GROWTH ? plan.blocks() : null);
        attributes.put("current_billing_period_start", plan.periodStartDate().toString());
        attributes.put("current_billing_period_end", plan.periodEndDate().minusDays(1).toString());
        attributes.put("next_billing_period_start", plan.periodEndDate().toString());
        attributes.put("current_usage_summary", summary);
        Map<String, Object> limits = new LinkedHashMap<>();
        limits.put("max_devices", plan.limits().devices());
        limits.put("max_data_operations", plan.limits().dataOperations());
        limits.put("max_cellular_mb", mb(plan.limits().cellularBytes()));
        if (plan.kind() == Plan.Kind.ENTERPRISE) limits.put("max_firmware_storage_bytes", plan.limits().firmwareBytes());
        limits.put("pooled_over", plan.kind() == Plan.Kind.ENTERPRISE ? "year" : "month");
        attributes.put("pricing_terms", limits);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", owner);
        out.put("type", "service_agreement");
        out.put("attributes", attributes);
        return out;
    }

    private static Map<String, Object> counter(long used, long limit) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("used", used);
        m.put("limit", limit == 0 ? null : limit);
        m.put("percent", percent(used, limit));
        return m;
    }

    private static Double percent(long used, long limit) {
        return limit == 0 ? null : Math.round(used * 10000.0 / limit) / 100.0;
    }

    static double mb(long bytes) {
        return Math.round(bytes / (double) UsageSettings.Limits.MB * 1_000_000) / 1_000_000.0;
    }

    public List<Map<String, Object>> notifications(String owner) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (UsageRepository.Notification n : usage.repository().notifications(owner, 1000)) {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("event_type", n.eventType());
            a.put("resource_type", n.resource());
            a.put("threshold", n.eventType().equals("usage_threshold") ? n.threshold() : null);
            a.put("billing_period_start", Plan.month(n.period()).atDay(1).toString());
            a.put("created_at", Instant.ofEpochMilli(n.createdAt()).toString());
            a.put("details", n.details());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", Long.toString(n.id()));
            m.put("type", "notification");
            m.put("attributes", a);
            out.add(m);
        }
        return out;
    }

    // --- usage by product, device, day (Boson extension) ---------------------------------------------

    public Map<String, Object> usage(UsageReads.Filter f, UsageReads.By by, int page, int perPage) {
        UsageReads.Page p = reads.usage(f, by, page, perPage);
        List<Map<String, Object>> lines = new ArrayList<>();
        for (UsageReads.Line l : p.lines()) {
            Map<String, Object> m = new LinkedHashMap<>();
            switch (by) {
                case DEVICE -> m.put("device_id", l.key());
                case PRODUCT -> m.put("product_id", l.key() == null ? null : Long.valueOf(l.key()));
                case DAY -> m.put("date", LocalDate.ofEpochDay(Long.parseLong(l.key())).toString());
            }
            m.put("data_operations", l.dataOps());
            m.put("cellular_mb", mb(l.cellBytes()));
            lines.add(m);
        }
        Map<String, Object> totals = new LinkedHashMap<>();
        totals.put("data_operations", p.dataOps());
        totals.put("cellular_mb", mb(p.cellBytes()));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("usage", lines);
        out.put("totals", totals);
        out.put("meta", io.boson.http.Paging.meta(page, perPage, p.total()));
        return out;
    }

    // --- reports ------------------------------------------------------------------------------------

    public Map<String, Object> createReport(String owner, String reportType, LocalDate start, LocalDate end, List<String> deviceIds,
                                            String baseUrl) {
        if (reportType != null && !reportType.equals("devices")) throw DomainException.invalid("report_type must be devices");
        if (end.isBefore(start)) throw DomainException.invalid("date_period_end is before date_period_start");
        if (end.toEpochDay() - start.toEpochDay() > 400) throw DomainException.invalid("A report covers at most 400 days");
        if (deviceIds.size() > 1000) throw DomainException.invalid("A report names at most 1000 devices");
        return report(reports.create(owner, start, end, deviceIds, usage.clock().millis()), baseUrl);
    }

    public Map<String, Object> report(String owner, String id, String baseUrl) {
        return report(reports.find(owner, id).orElseThrow(() -> DomainException.notFound("Usage report not found")), baseUrl);
    }

    public byte[] download(String id, String key) {
        return reports.download(id, key).orElseThrow(() -> DomainException.notFound("Usage report not found"));
    }

    private static Map<String, Object> report(UsageReports.Report r, String baseUrl) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("state", r.state());
        a.put("report_type", "devices");
        a.put("date_period_start", r.start().toString());
        a.put("date_period_end", r.end().toString());
        a.put("devices", r.devices());
        a.put("created_at", Instant.ofEpochMilli(r.createdAt()).toString());
        a.put("download_url", baseUrl + "/v1/usage_reports/" + r.id() + "/" + r.downloadKey() + ".csv");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("type", "usage_report");
        m.put("attributes", a);
        return Map.of("data", m);
    }

    // --- cellular data by SIM -----------------------------------------------------------------------

    /**
     * {@code GET /v1/sims/:iccid/data_usage}: the device that reported the ICCID in its describe, if the
     * caller may see its SIM. A Boson extension: a device without an ICCID is named by its device ID.
     */
    public Map<String, Object> simUsage(Principal caller, String iccidOrDeviceId) {
        List<String> ids = new ArrayList<>(reads.devicesWithIccid(iccidOrDeviceId));
        boolean byDevice = ids.isEmpty() && io.boson.devices.DeviceIds.valid(iccidOrDeviceId.toLowerCase());
        if (byDevice) ids.add(iccidOrDeviceId.toLowerCase());
        for (String id : ids) {
            Device d = visibleSim(caller, id);
            if (d == null) continue;
            Map<String, Object> out = new LinkedHashMap<>();
            out.put(byDevice ? "device_id" : "iccid", byDevice ? d.id() : iccidOrDeviceId);
            out.putAll(dailyCellular(new UsageReads.Filter(null, null, d.id(), monthStartDay(), todayDay())));
            return out;
        }
        throw DomainException.notFound("SIM not found");
    }

    /** {@code GET /v1/products/:p/sims/:iccid/data_usage}: as {@link #simUsage}, for a device of the product. */
    public Map<String, Object> productSim(Principal caller, String product, String iccidOrDeviceId) {
        Product p = products.require(caller, product, Action.VIEW_SIM);
        Map<String, Object> out = simUsage(caller, iccidOrDeviceId);
        String id = (String) out.getOrDefault("device_id", null);
        Long in = reads.productOf(id != null ? id : reads.devicesWithIccid(iccidOrDeviceId).get(0));
        if (in == null || in != p.id()) throw DomainException.notFound("SIM not found");
        return out;
    }

    /** The device if the caller owns it or its product's team may see SIMs; else null. */
    private Device visibleSim(Principal caller, String id) {
        try {
            return devices.resolve(caller, DeviceRef.owned(id), Action.VIEW_SIM);
        } catch (DomainException.NotFound | DomainException.Forbidden e) {
            // not the caller's own: perhaps a device of a product the caller's team has
        }
        Long product = reads.productOf(id);
        if (product == null) return null;
        try {
            return devices.resolve(caller, DeviceRef.inProduct(Long.toString(product), id), Action.VIEW_SIM);
        } catch (DomainException.NotFound | DomainException.Forbidden e) {
            return null;
        }
    }

    /** {@code GET /v1/products/:p/sims/data_usage}: the product's cellular data this month. */
    public Map<String, Object> productSims(Principal caller, String product) {
        Product p = products.require(caller, product, Action.VIEW_SIM);
        UsageReads.Filter f = new UsageReads.Filter(null, p.id(), null, monthStartDay(), todayDay());
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> daily = dailyCellular(f);
        out.put("total_mbs_used", daily.get("total_mbs_used"));
        long active = reads.usage(f, UsageReads.By.DEVICE, 1, 1).total();
        out.put("total_active_sim_cards", active);
        out.put("usage_by_day", daily.get("usage_by_day"));
        return out;
    }

    private Map<String, Object> dailyCellular(UsageReads.Filter f) {
        UsageReads.Page p = reads.usage(f, UsageReads.By.DAY, 1, 400);
        List<Map<String, Object>> days = new ArrayList<>();
        long cumulative = 0;
        for (UsageReads.Line l : p.lines()) {
            cumulative += l.cellBytes();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("date", LocalDate.ofEpochDay(Long.parseLong(l.key())).toString());
            m.put("mbs_used", mb(l.cellBytes()));
            m.put("mbs_used_cumulative", mb(cumulative));
            days.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("total_mbs_used", mb(p.cellBytes()));
        out.put("usage_by_day", days);
        return out;
    }

    private int monthStartDay() {
        return (int) usage.thisMonth().atDay(1).toEpochDay();
    }

    private int todayDay() {
        return (int) usage.thisMonth().atEndOfMonth().toEpochDay();
    }

    // --- plans (platform admin) ----------------------------------------------------------------------

    /** The billing owner an admin names: {@code users/<username>} or {@code orgs/<id or slug>}. */
    public String ownerNamed(Principal admin, String kind, String name) {
        if (!admin.platformAdmin()) throw DomainException.forbidden("Only the platform admin assigns plans");
        return (switch (kind) {
            case "users" -> reads.userOwner(name);
            case "orgs" -> reads.orgOwner(name);
            default -> java.util.Optional.<String>empty();
        }).orElseThrow(() -> DomainException.notFound("No such account or organization"));
    }

    public record PlanChange(String plan, Integer blocks, Long maxDevices, Long maxDataOperations, Double maxCellularMb,
                             Double maxFirmwareStorageMb, String contractStart) {
    }

    public Map<String, Object> changePlan(Principal admin, String owner, PlanChange c) {
        if (!admin.platformAdmin()) throw DomainException.forbidden("Only the platform admin assigns plans");
        Plan.Kind kind;
        try {
            kind = Plan.Kind.parse(c.plan());
        } catch (IllegalArgumentException e) {
            throw DomainException.invalid(e.getMessage());
        }
        int blocks = c.blocks() == null ? 1 : c.blocks();
        if (kind == Plan.Kind.GROWTH && (blocks < 1 || blocks > 100_000)) throw DomainException.invalid("blocks must be 1 or more");
        Integer contract = null;
        if (kind == Plan.Kind.ENTERPRISE) {
            if (c.maxDevices() == null || c.maxDataOperations() == null || c.maxCellularMb() == null) {
                throw DomainException.invalid("Enterprise needs max_devices, max_data_operations and max_cellular_mb");
            }
            if (c.maxDevices() < 0 || c.maxDataOperations() < 0 || c.maxCellularMb() < 0
                    || (c.maxFirmwareStorageMb() != null && c.maxFirmwareStorageMb() < 0)) {
                throw DomainException.invalid("Limits must not be negative");
            }
            try {
                contract = c.contractStart() == null ? Plan.key(usage.thisMonth())
                        : Plan.key(java.time.YearMonth.parse(c.contractStart().length() > 7 ? c.contractStart().substring(0, 7)
                        : c.contractStart()));
            } catch (java.time.format.DateTimeParseException e) {
                throw DomainException.invalid("contract_start must be a month such as 2026-01");
            }
        }
        UsageRepository.PlanRow row = new UsageRepository.PlanRow(owner, kind.apiName(), kind == Plan.Kind.GROWTH ? blocks : 1,
                null, null,
                kind == Plan.Kind.ENTERPRISE ? c.maxDevices() : null,
                kind == Plan.Kind.ENTERPRISE ? c.maxDataOperations() : null,
                kind == Plan.Kind.ENTERPRISE ? Math.round(c.maxCellularMb() * UsageSettings.Limits.MB) : null,
                kind == Plan.Kind.ENTERPRISE && c.maxFirmwareStorageMb() != null
                        ? Math.round(c.maxFirmwareStorageMb() * UsageSettings.Limits.MB) : null,
                contract);
        usage.changePlan(admin, owner, row);
        return agreement(owner);
    }
}
