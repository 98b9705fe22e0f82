package io.boson.products;

import io.boson.errors.DomainException;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The filters of {@code GET /v1/products/:p/devices}. {@code deviceId} and {@code deviceName} match
 * by prefix (an index serves them on 100,000 devices); {@code groups} matches devices in any of them.
 */
public record ProductDeviceQuery(String deviceId, String deviceName, List<String> groups, String sortColumn,
                                 boolean descending, int page, int perPage) {

    public static final int DEFAULT_PER_PAGE = 25;
    public static final int MAX_PER_PAGE = 100;
    private static final Map<String, String> SORTS = Map.of(
            "deviceId", "d.id", "deviceName", "d.name", "lastConnection", "d.last_heard",
            "firmwareVersion", "d.product_version");

    public static ProductDeviceQuery of(String deviceId, String deviceName, String groups, String sortAttr, String sortDir,
                                        String page, String perPage) {
        String column = sortAttr == null || sortAttr.isBlank() ? "d.id" : SORTS.get(sortAttr);
        if (column == null) throw DomainException.invalid("sortAttr must be one of " + String.join(", ", SORTS.keySet()));
        boolean desc;
        if (sortDir == null || sortDir.isBlank() || sortDir.equalsIgnoreCase("asc")) desc = false;
        else if (sortDir.equalsIgnoreCase("desc")) desc = true;
        else throw DomainException.invalid("sortDir must be asc or desc");
        int p = positive(page, 1, "page", Integer.MAX_VALUE);
        int pp = positive(perPage, DEFAULT_PER_PAGE, "per_page", MAX_PER_PAGE);
        List<String> g = groups == null || groups.isBlank() ? List.of()
                : Arrays.stream(groups.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        return new ProductDeviceQuery(blankToNull(deviceId == null ? null : deviceId.toLowerCase()), blankToNull(deviceName),
                g, column, desc, p, pp);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    private static int positive(String value, int fallback, String name, int max) {
        if (value == null || value.isBlank()) return fallback;
        try {
            int v = Integer.parseInt(value.trim());
            if (v < 1) throw DomainException.invalid(name + " must be at least 1");
            return Math.min(v, max);
        } catch (NumberFormatException e) {
            throw DomainException.invalid(name + " must be a whole number");
        }
    }
}
