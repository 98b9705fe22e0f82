package io.boson.usage;

import java.time.LocalDate;
import java.time.YearMonth;
import java.util.Locale;

/**
 * An owner's plan as it applies at one moment: its kind, its limits and the billing period they
 * are pooled over (a calendar month in UTC, or the contract year on Enterprise).
 */
public record Plan(Kind kind, int blocks, UsageSettings.Limits limits, YearMonth periodStart, YearMonth periodEnd) {

    public enum Kind {
        /** Particle's free tier: pauses at 100 % after the grace period. */
        FREE,
        /** Particle's Growth (now Basic): blocks of limits; going over adds a block next month, never pauses. */
        GROWTH,
        /** Configured maximums pooled over the contract year; notified, never paused. */
        ENTERPRISE;

        public String apiName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Kind parse(String s) {
            if (s == null) throw new IllegalArgumentException("plan is required");
            return switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "free" -> FREE;
                case "growth", "basic" -> GROWTH;
                case "enterprise" -> ENTERPRISE;
                default -> throw new IllegalArgumentException("Unknown plan " + s + ": free, growth or enterprise");
            };
        }
    }

    static int key(YearMonth m) {
        return m.getYear() * 100 + m.getMonthValue();
    }

    static YearMonth month(int key) {
        return YearMonth.of(key / 100, key % 100);
    }

    /** The first month of the period, yyyymm: notifications and totals are keyed by it. */
    public int periodKey() {
        return key(periodStart);
    }

    public int periodEndKey() {
        return key(periodEnd);
    }

    public LocalDate periodStartDate() {
        return periodStart.atDay(1);
    }

    /** The first day after the period. */
    public LocalDate periodEndDate() {
        return periodEnd.atDay(1);
    }

    public boolean pauses() {
        return kind == Kind.FREE;
    }

    /** The plan of {@code row} (Free without one) in the month {@code now}. */
    static Plan of(UsageRepository.PlanRow row, UsageSettings settings, YearMonth now) {
        if (row == null || row.plan().equals("free")) {
            return new Plan(Kind.FREE, 1, settings.free(), now, now.plusMonths(1));
        }
        if (row.plan().equals("growth")) {
            int blocks = row.nextFrom() != null && key(now) >= row.nextFrom() ? row.nextBlocks() : row.blocks();
            return new Plan(Kind.GROWTH, blocks, settings.growthBlock().times(blocks), now, now.plusMonths(1));
        }
        YearMonth start = row.contractStart() == null ? now : month(row.contractStart());
        while (start.plusMonths(12).compareTo(now) <= 0) start = start.plusMonths(12);
        while (start.compareTo(now) > 0) start = start.minusMonths(12);
        UsageSettings.Limits limits = new UsageSettings.Limits(nz(row.maxDevices()), nz(row.maxDataOps()), nz(row.maxCellBytes()),
                nz(row.maxFirmwareBytes()));
        return new Plan(Kind.ENTERPRISE, 1, limits, start, start.plusMonths(12));
    }

    private static long nz(Long v) {
        return v == null ? 0 : v;
    }
}
