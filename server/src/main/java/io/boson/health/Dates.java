package io.boson.health;

import io.boson.errors.DomainException;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** ISO 8601 query parameters ({@code 2026-11-25T12:00:00Z}, with an offset, or a bare date at midnight UTC). */
final class Dates {

    private Dates() {
    }

    static Long parse(String name, String value) {
        if (value == null || value.isBlank()) return null;
        try {
            return OffsetDateTime.parse(value).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            try {
                return Instant.parse(value).toEpochMilli();
            } catch (DateTimeParseException e2) {
                try {
                    return LocalDate.parse(value).atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
                } catch (DateTimeParseException e3) {
                    throw DomainException.invalid(name + " must be an ISO 8601 date or time, e.g. 2026-11-25T12:00:00Z");
                }
            }
        }
    }

    static String iso(long millis) {
        return Instant.ofEpochMilli(millis).toString();
    }
}
