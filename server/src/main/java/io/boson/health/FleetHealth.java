package io.boson.health;

import io.boson.auth.Principal;
import io.boson.errors.DomainException;
import io.boson.products.Product;
import io.boson.products.ProductService;
import io.boson.team.Action;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fleet health of a product (Particle's console page, as an API): devices online now, and each
 * series over a range in buckets, filtered by group, product firmware version and Device OS
 * version. Series come from the pre-aggregated minute rows (buckets under an hour, the last
 * {@link #MINUTES_KEPT}) or hour rows (buckets of an hour or more, the whole retention); nothing is
 * computed from raw device rows on request. Readable by every team role (View-only included).
 */
public final class FleetHealth {

    public static final Duration MINUTES_KEPT = Duration.ofDays(2);
    static final Duration DEFAULT_RANGE = Duration.ofMinutes(30);

    private final ProductService products;
    private final FleetRepository repo;
    private final Clock clock;
    private final Duration retention;

    FleetHealth(ProductService products, FleetRepository repo, Clock clock, Duration retention) {
        this.products = products;
        this.repo = repo;
        this.clock = clock;
        this.retention = retention;
    }

    public record Query(String from, String to, String bucket, String group, String firmwareVersion, String systemVersion) {
    }

    /** One bucket: its start and each part's value. */
    public record Point(long at, Map<String, Number> values) {
    }

    public record Series(String metric, List<String> parts, Duration bucket, long from, long to, List<Point> points) {
    }

    public record Now(long devices, long online) {
    }

    public Now now(Principal caller, String product, Query q) {
        Product p = products.require(caller, product, Action.VIEW_FLEET_HEALTH);
        FleetRepository.Now n = repo.now(p.id(), filter(p, q));
        return new Now(n.devices(), n.online());
    }

    public Series series(Principal caller, String product, String metric, Query q) {
        Product p = products.require(caller, product, Action.VIEW_FLEET_HEALTH);
        List<FleetMetric> metrics = FleetMetric.ofSeries(metric);
        if (metrics.isEmpty()) {
            throw DomainException.notFound("No fleet health metric " + metric + "; there are " + String.join(", ", FleetMetric.seriesNames()));
        }
        FleetRepository.Filter f = filter(p, q);
        long now = clock.millis();
        Long to = Dates.parse("to", q.to());
        if (to == null) to = now;
        Long from = Dates.parse("from", q.from());
        if (from == null) from = to - DEFAULT_RANGE.toMillis();
        if (to <= from) throw DomainException.invalid("to must be after from");
        if (from < now - retention.toMillis()) {
            throw DomainException.invalid("from is more than " + retention.toDays() + " days ago: fleet health is kept for "
                    + retention.toDays() + " days");
        }
        Duration bucket = Buckets.parse(q.bucket(), from, to);
        boolean hourly = bucket.toMillis() % Duration.ofHours(1).toMillis() == 0;
        if (!hourly && from < now - MINUTES_KEPT.toMillis()) {
            throw DomainException.invalid("Buckets under an hour reach back " + MINUTES_KEPT.toDays()
                    + " days; choose a bucket of 1h or more");
        }
        long start = Buckets.floor(from, bucket);
        long b = bucket.toMillis();
        int n = (int) ((to - start + b - 1) / b);
        List<String> columns = metrics.stream().map(FleetMetric::column).toList();
        List<FleetRepository.Cell> cells = repo.cells(hourly ? FleetRepository.HOURS : FleetRepository.MINUTES, p.id(), columns,
                start, start + n * b, f);
        long[][] sums = new long[n][metrics.size()];
        for (FleetRepository.Cell c : cells) {
            int i = (int) ((c.at() - start) / b);
            sums[i][columns.indexOf(c.metric())] += c.amount();
        }
        List<Point> points = new ArrayList<>(n);
        for (int i = 0; i < n; i++) points.add(new Point(start + i * b, values(metrics, sums[i], bucket)));
        return new Series(metric, metrics.stream().map(m -> m.part).toList(), bucket, start, start + n * b, points);
    }

    private static Map<String, Number> values(List<FleetMetric> metrics, long[] sums, Duration bucket) {
        Map<String, Number> v = new LinkedHashMap<>();
        long total = 0;
        for (int j = 0; j < metrics.size(); j++) {
            FleetMetric m = metrics.get(j);
            if (m == FleetMetric.ONLINE) {
                // Each node adds its connected devices once a minute: the bucket's average.
                v.put(m.part, (double) sums[j] / bucket.toMinutes());
            } else if (m == FleetMetric.CELLULAR_BYTES) {
                v.put("mb", sums[j] / 1_000_000.0);
            } else {
                v.put(m.part, sums[j]);
            }
            total += sums[j];
        }
        String series = metrics.get(0).series;
        if (series.equals("function_calls") || series.equals("variable_reads")) {
            v.put("total", total);
            v.put("success_rate", total == 0 ? null : (double) sums[0] / total);
        }
        return v;
    }

    private FleetRepository.Filter filter(Product p, Query q) {
        String group = q.group() == null ? "" : q.group().trim();
        if (!group.isEmpty() && !repo.groupExists(p.id(), group)) throw DomainException.notFound("Group " + group + " not found");
        Integer fw = null;
        if (q.firmwareVersion() != null && !q.firmwareVersion().isBlank()) {
            try {
                fw = Integer.parseInt(q.firmwareVersion().trim());
            } catch (NumberFormatException e) {
                throw DomainException.invalid("firmware_version must be a whole number");
            }
            if (fw < 1 || fw > 65535) throw DomainException.invalid("firmware_version must be between 1 and 65535");
        }
        String sys = q.systemVersion() == null || q.systemVersion().isBlank() ? null : q.systemVersion().trim();
        if (sys != null && sys.length() > 40) throw DomainException.invalid("system_version is at most 40 characters");
        return new FleetRepository.Filter(group, fw, sys);
    }
}
