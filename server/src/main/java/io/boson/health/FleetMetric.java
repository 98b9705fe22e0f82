package io.boson.health;

import java.util.ArrayList;
import java.util.List;

/**
 * What fleet health counts, per product and minute. Each constant is one part of a series: the
 * API's {@code function_calls} series has the parts success, error and timeout, for instance.
 * {@link #ONLINE} is a gauge: every node adds the devices it holds once a minute, and a bucket
 * shows the average. {@link #DATA_OPERATIONS} and {@link #CELLULAR_BYTES} are fed by usage
 * metering through {@link FleetCounters#count} when it lands; until then they stay empty.
 */
public enum FleetMetric {
    ONLINE("online", "devices"),
    CONNECTS("connects", "count"),
    DISCONNECTS("disconnects", "count"),
    EVENTS_PUBLISHED("events_published", "count"),
    EVENTS_DELIVERED("events_delivered", "count"),
    RATE_LIMITED("rate_limited", "count"),
    FUNCTION_SUCCESS("function_calls", "success"),
    FUNCTION_ERROR("function_calls", "error"),
    FUNCTION_TIMEOUT("function_calls", "timeout"),
    VARIABLE_SUCCESS("variable_reads", "success"),
    VARIABLE_ERROR("variable_reads", "error"),
    VARIABLE_TIMEOUT("variable_reads", "timeout"),
    OTA_OFFERED("ota_updates", "offered"),
    OTA_APPLIED("ota_updates", "applied"),
    OTA_FAILED("ota_updates", "failed"),
    OTA_REJECTED("ota_updates", "rejected"),
    DATA_OPERATIONS("data_operations", "count"),
    CELLULAR_BYTES("cellular_mb", "bytes"),
    INTEGRATION_SUCCESS("integration_traffic", "success"),
    INTEGRATION_ERROR("integration_traffic", "error");

    public final String series;
    public final String part;

    FleetMetric(String series, String part) {
        this.series = series;
        this.part = part;
    }

    /** The stored name, e.g. {@code function_calls.success}. */
    String column() {
        return series + "." + part;
    }

    static List<FleetMetric> ofSeries(String series) {
        List<FleetMetric> out = new ArrayList<>();
        for (FleetMetric m : values()) if (m.series.equals(series)) out.add(m);
        return out;
    }

    static List<String> seriesNames() {
        List<String> out = new ArrayList<>();
        for (FleetMetric m : values()) if (!out.contains(m.series)) out.add(m.series);
        return out;
    }

    static FleetMetric ofColumn(String column) {
        for (FleetMetric m : values()) if (m.column().equals(column)) return m;
        throw new IllegalArgumentException(column);
    }

    /** Request results of calls and reads, as the API counts them. */
    public enum Result { SUCCESS, ERROR, TIMEOUT }

    public static FleetMetric function(Result r) {
        return switch (r) {
            case SUCCESS -> FUNCTION_SUCCESS;
            case ERROR -> FUNCTION_ERROR;
            case TIMEOUT -> FUNCTION_TIMEOUT;
        };
    }

    public static FleetMetric variable(Result r) {
        return switch (r) {
            case SUCCESS -> VARIABLE_SUCCESS;
            case ERROR -> VARIABLE_ERROR;
            case TIMEOUT -> VARIABLE_TIMEOUT;
        };
    }
}
