package io.boson.team;

import io.boson.errors.DomainException;

import java.util.Locale;

/**
 * Particle's product roles, plus the one Owner. The ids are Particle-shaped 24-hex strings;
 * Administrator's is the one Particle's documentation shows.
 */
public enum Role {
    OWNER("Owner", "000000000000000000000001"),
    ADMINISTRATOR("Administrator", "000000000000000000000002"),
    DEVELOPER("Developer", "000000000000000000000003"),
    SUPPORT("Support", "000000000000000000000004"),
    VIEW_ONLY("View-only", "000000000000000000000005"),
    /** A programmatic member: its scopes, not a role, say what it may do (see {@link Scopes}). */
    API_USER("API user", "000000000000000000000006");

    private final String displayName;
    private final String id;

    Role(String displayName, String id) {
        this.displayName = displayName;
        this.id = id;
    }

    public String displayName() {
        return displayName;
    }

    public String id() {
        return id;
    }

    /** A role by id or by name ("Developer", "developer", "View-only", "view_only"); the Owner cannot be given. */
    public static Role assignable(String nameOrId) {
        if (nameOrId == null || nameOrId.isBlank()) return VIEW_ONLY;
        String key = nameOrId.trim().toLowerCase(Locale.ROOT).replace('_', '-').replace(' ', '-');
        for (Role r : values()) {
            if (r.id.equals(nameOrId.trim()) || r.displayName.toLowerCase(Locale.ROOT).equals(key)
                    || r.name().toLowerCase(Locale.ROOT).replace('_', '-').equals(key)) {
                if (r == OWNER) throw DomainException.invalid("The Owner role cannot be given; there is one Owner per product");
                if (r == API_USER) throw DomainException.invalid("API users are created with friendly_name and scopes");
                return r;
            }
        }
        throw DomainException.invalid("Unknown role " + nameOrId + ": Administrator, Developer, Support or View-only");
    }
}
