package io.boson.usage;

import io.boson.auth.Secrets;
import org.jdbi.v3.core.Jdbi;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Usage reports (Particle's {@code usage_reports}): per device and day, Data Operations and
 * cellular MB, as a CSV with a header row and ISO dates that any spreadsheet opens. Written when
 * asked for; the download link carries its own secret, as Particle's does.
 */
final class UsageReports {

    private final Jdbi jdbi;
    private final UsageReads reads;

    UsageReports(Jdbi jdbi, UsageReads reads) {
        this.jdbi = jdbi;
        this.reads = reads;
    }

    record Report(String id, String owner, String state, LocalDate start, LocalDate end, List<String> devices,
                  String downloadKey, long createdAt) {
    }

    Report create(String owner, LocalDate start, LocalDate end, List<String> devices, long now) {
        String id = Secrets.randomHex(12);
        String key = Secrets.randomHex(16);
        byte[] csv = csv(reads.reportRows(new UsageReads.Filter(owner, null, null, (int) start.toEpochDay(),
                (int) end.toEpochDay()), devices));
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO usage_reports(id, owner, state, date_start, date_end, devices, download_key, csv, created_at)
                        VALUES (?, ?, 'complete', ?, ?, ?, ?, ?, ?)""")
                .bind(0, id).bind(1, owner).bind(2, (int) start.toEpochDay()).bind(3, (int) end.toEpochDay())
                .bind(4, String.join(",", devices)).bind(5, key).bind(6, csv).bind(7, now).execute());
        return new Report(id, owner, "complete", start, end, devices, key, now);
    }

    Optional<Report> find(String owner, String id) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT id, owner, state, date_start, date_end, devices, download_key, created_at FROM usage_reports
                        WHERE id = ? AND owner = ?""")
                .bind(0, id).bind(1, owner)
                .map((rs, ctx) -> new Report(rs.getString(1), rs.getString(2), rs.getString(3),
                        LocalDate.ofEpochDay(rs.getInt(4)), LocalDate.ofEpochDay(rs.getInt(5)),
                        rs.getString(6).isEmpty() ? List.of() : List.of(rs.getString(6).split(",")), rs.getString(7), rs.getLong(8)))
                .findOne());
    }

    /** The CSV of a report, when the key matches. */
    Optional<byte[]> download(String id, String key) {
        return jdbi.withHandle(h -> h.createQuery("SELECT csv FROM usage_reports WHERE id = ? AND download_key = ?")
                .bind(0, id).bind(1, key).mapTo(byte[].class).findOne());
    }

    static byte[] csv(List<UsageReads.ReportRow> rows) {
        StringBuilder out = new StringBuilder("date,device_id,device_name,product_id,data_operations,cellular_mb\r\n");
        for (UsageReads.ReportRow r : rows) {
            out.append(LocalDate.ofEpochDay(r.day())).append(',').append(r.deviceId()).append(',')
                    .append(cell(r.name())).append(',').append(r.productId() == null ? "" : r.productId()).append(',')
                    .append(r.dataOps()).append(',').append(mb(r.cellBytes())).append("\r\n");
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.6f", bytes / (double) UsageSettings.Limits.MB);
    }

    /** RFC 4180 quoting, and no leading formula characters a spreadsheet would run. */
    private static String cell(String s) {
        if (s == null) return "";
        String v = !s.isEmpty() && "=+-@".indexOf(s.charAt(0)) >= 0 ? "'" + s : s;
        return v.contains(",") || v.contains("\"") || v.contains("\n") ? "\"" + v.replace("\"", "\"\"") + "\"" : v;
    }
}
