package io.boson.auth;

/**
 * An account. {@code kind} is {@link Kind#USER} for people and API users; customers and product
 * accounts belong to {@code productId}, and a customer's visible name is its {@code email}.
 */
public record User(long id, String username, String passwordHash, boolean platformAdmin, long createdAt, Kind kind,
                   Long productId, String email) {

    public User(long id, String username, String passwordHash, boolean platformAdmin, long createdAt) {
        this(id, username, passwordHash, platformAdmin, createdAt, Kind.USER, null, null);
    }

    /** What the account is shown as: a customer by its email, everyone else by username. */
    public String displayName() {
        return email != null ? email : username;
    }

    public enum Kind {
        USER, CUSTOMER, PRODUCT;

        public static Kind of(String stored) {
            return valueOf(stored.toUpperCase(java.util.Locale.ROOT));
        }

        public String stored() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
