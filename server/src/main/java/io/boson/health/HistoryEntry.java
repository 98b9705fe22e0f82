package io.boson.health;

/**
 * One line of a device's history: a vitals report ({@code payload} is its JSON), a connect
 * ({@code detail} is the remote address) or a disconnect ({@code detail} is the reason).
 */
public record HistoryEntry(String deviceId, long at, Kind kind, String payload, String detail) {

    public enum Kind {
        VITALS("vitals"), CONNECT("connect"), DISCONNECT("disconnect");

        public final String column;

        Kind(String column) {
            this.column = column;
        }

        static Kind of(String column) {
            for (Kind k : values()) if (k.column.equals(column)) return k;
            throw new IllegalArgumentException(column);
        }
    }
}
