package io.boson.device;

import java.math.BigDecimal;

/**
 * The declared type of a cloud variable: its name in the describe, and how a value is written in
 * the reply to a variable read (protocol sections 2 and 5).
 */
public enum VariableType {
    INT32("int32"),
    DOUBLE("double"),
    STRING("string"),
    BOOL("bool");

    private final String wireName;

    VariableType(String wireName) {
        this.wireName = wireName;
    }

    /** The name used in the describe's {@code "v"} object. */
    public String wireName() {
        return wireName;
    }

    /**
     * Writes a value as reply text. Rejects values the type cannot carry rather than coercing them,
     * because the cloud parses the text back into the declared type and would fail less clearly.
     *
     * @throws IllegalArgumentException with a reason fit for an {@code r/{rid}/err} reply
     */
    public String format(Object value) {
        if (value == null) {
            throw new IllegalArgumentException("value is null");
        }
        return switch (this) {
            case INT32 -> formatInt32(value);
            case DOUBLE -> formatDouble(value);
            case STRING -> value.toString();
            case BOOL -> {
                if (!(value instanceof Boolean b)) {
                    throw new IllegalArgumentException("not a bool: " + value.getClass().getSimpleName());
                }
                yield b.toString();
            }
        };
    }

    private static String formatInt32(Object value) {
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return value.toString();
        }
        if (value instanceof Long l && l == l.intValue()) {
            return Long.toString(l);
        }
        throw new IllegalArgumentException("not an int32: " + value);
    }

    private static String formatDouble(Object value) {
        if (!(value instanceof Number n)) {
            throw new IllegalArgumentException("not a number: " + value.getClass().getSimpleName());
        }
        double d = n.doubleValue();
        if (!Double.isFinite(d)) {
            throw new IllegalArgumentException("not a finite number: " + d);
        }
        // Plain notation: Double.toString writes 1.0E10, which not every consumer parses as "decimal".
        String text = Double.toString(d);
        return text.indexOf('E') < 0 ? text : new BigDecimal(text).stripTrailingZeros().toPlainString();
    }
}
