package io.boson.health;

import io.boson.auth.Principal;
import io.boson.calls.CallService;
import io.boson.devices.Device;
import io.boson.devices.DeviceAccess;
import io.boson.devices.DeviceRef;
import io.boson.devices.DeviceService;
import io.boson.errors.DomainException;
import io.boson.team.Action;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * A device's diagnostics (Particle's "Diagnostics / vitals"): the last report, the history of
 * reports and connections within the retention, charts of the numeric vitals, and the refresh
 * that asks an online device for vitals now. Owners and customers see their own devices; a
 * product's team sees the product's devices by the role table (View-only may read).
 */
public final class Diagnostics {

    public static final int DEFAULT_PER_PAGE = 100;
    public static final int MAX_PER_PAGE = 1_000;

    private final DeviceAccess access;
    private final DeviceService devices;
    private final CallService calls;
    private final HistoryRepository repo;
    private final VitalsHistory history;
    private final Clock clock;

    Diagnostics(DeviceAccess access, DeviceService devices, CallService calls, HistoryRepository repo, VitalsHistory history,
                Clock clock) {
        this.access = access;
        this.devices = devices;
        this.calls = calls;
        this.repo = repo;
        this.history = history;
        this.clock = clock;
    }

    /** The device as stored now (the access check may answer from a cache that does not follow vitals). */
    public Device last(Principal caller, DeviceRef ref) {
        Device d = access.resolve(caller, ref, Action.VIEW_VITALS);
        return devices.find(d.id()).orElseThrow(() -> DomainException.notFound("Device not found"));
    }

    public record Range(long from, long to) {
    }

    public record Page(Device device, List<HistoryEntry> entries, int page, int perPage, long total) {
    }

    /**
     * Entries of one kind, newest first. {@code start} defaults to the oldest kept (now minus the
     * retention), {@code end} to now; a start before the retention is refused, as Particle does.
     */
    public Page history(Principal caller, DeviceRef ref, HistoryEntry.Kind kind, String start, String end, String page,
                        String perPage) {
        Device d = access.resolve(caller, ref, Action.VIEW_VITALS);
        Range r = range(start, end);
        int p = positive("page", page, 1, Integer.MAX_VALUE);
        int n = positive("per_page", perPage, DEFAULT_PER_PAGE, MAX_PER_PAGE);
        long offset = (long) (p - 1) * n;
        List<HistoryEntry> entries = offset > Integer.MAX_VALUE ? List.of()
                : repo.page(d.id(), kind, r.from(), r.to(), (int) offset, n);
        return new Page(d, entries, p, n, repo.count(d.id(), kind, r.from(), r.to()));
    }

    public record Chart(String metric, Range range, Duration bucket, List<HistoryRepository.Point> points) {
    }

    /** One numeric vital per bucket (min, max, average, count): a Boson extension for charts. */
    public Chart chart(Principal caller, DeviceRef ref, String metric, String start, String end, String bucket) {
        Device d = access.resolve(caller, ref, Action.VIEW_VITALS);
        HistoryRepository.Chart c = HistoryRepository.Chart.of(metric == null ? "" : metric).orElseThrow(() ->
                DomainException.invalid("metric must be one of signal_strength, signal_quality, rtt, memory_used, battery_charge"));
        Range r = range(start, end);
        Duration b = Buckets.parse(bucket, r.from(), r.to());
        long from = Buckets.floor(r.from(), b);
        return new Chart(c.apiName(), new Range(from, r.to()), b, repo.chart(d.id(), c, from, r.to(), b.toMillis()));
    }

    public record Metadata(Device device, Duration retention, HistoryRepository.Extent extent) {
    }

    public Metadata metadata(Principal caller, DeviceRef ref) {
        Device d = access.resolve(caller, ref, Action.VIEW_VITALS);
        return new Metadata(d, history.retention(), repo.extent(d.id()));
    }

    /** Asks the device to send vitals now; permission and "device not connected" come from the call service. */
    public void refresh(Principal caller, DeviceRef ref) {
        calls.refreshVitals(caller, ref);
    }

    private Range range(String start, String end) {
        long now = clock.millis();
        long oldest = now - history.retention().toMillis();
        Long from = Dates.parse("start_date", start);
        Long to = Dates.parse("end_date", end);
        if (from == null) from = oldest;
        if (to == null) to = now + 1;
        if (from < oldest) {
            throw DomainException.invalid("start_date is more than " + history.retention().toDays()
                    + " days ago: diagnostics are kept for " + history.retention().toDays() + " days");
        }
        if (to <= from) throw DomainException.invalid("end_date must be after start_date");
        return new Range(from, to);
    }

    private static int positive(String name, String value, int fallback, int max) {
        if (value == null || value.isBlank()) return fallback;
        try {
            int v = Integer.parseInt(value.trim());
            if (v < 1 || v > max) throw DomainException.invalid(name + " must be between 1 and " + max);
            return v;
        } catch (NumberFormatException e) {
            throw DomainException.invalid(name + " must be a whole number");
        }
    }
}
