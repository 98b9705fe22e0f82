package io.boson.auth;

import org.jdbi.v3.core.Jdbi;

import java.util.List;
import java.util.Optional;

/** Users, OAuth clients, access and refresh tokens. Secrets arrive here already hashed. */
public final class AccountRepository {

    private final Jdbi jdbi;

    public AccountRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public record StoredToken(User user, String clientId, Long expiresAt) {
    }

    public record StoredClient(String id, String secretHash, String name, String type, Long ownerUserId, Long productId) {
    }

    private static final String USER_COLS =
            "u.id, u.username, u.password_hash, u.platform_admin, u.created_at, u.kind, u.product_id, u.email";

    private static User user(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new User(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getBoolean(4), rs.getLong(5),
                User.Kind.of(rs.getString(6)), (Long) rs.getObject(7, Long.class), rs.getString(8));
    }

    public long countUsers() {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM users").mapTo(Long.class).one());
    }

    public User createUser(String username, String passwordHash, boolean admin, long now) {
        long id = jdbi.withHandle(h -> h.createUpdate(
                        "INSERT INTO users(username, password_hash, platform_admin, created_at) VALUES (?, ?, ?, ?)")
                .bind(0, username).bind(1, passwordHash).bind(2, admin).bind(3, now)
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
        return new User(id, username, passwordHash, admin, now);
    }

    /** An account only tokens can use: its password hash matches no password. */
    public User createProgrammaticUser(String username, long now) {
        long id = jdbi.withHandle(h -> h.createUpdate(
                        "INSERT INTO users(username, password_hash, platform_admin, programmatic, created_at) VALUES (?, ?, FALSE, TRUE, ?)")
                .bind(0, username).bind(1, "none").bind(2, now)
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
        return new User(id, username, "none", false, now);
    }

    public void deleteUser(long userId) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM users WHERE id = ?").bind(0, userId).execute());
    }

    /** Removes every access token of the account and returns their hashes (so streams can end). */
    public java.util.List<String> deleteAccessTokens(long userId) {
        return jdbi.inTransaction(h -> {
            java.util.List<String> hashes = h.createQuery("SELECT token_hash FROM access_tokens WHERE user_id = ?")
                    .bind(0, userId).mapTo(String.class).list();
            h.createUpdate("DELETE FROM access_tokens WHERE user_id = ?").bind(0, userId).execute();
            return hashes;
        });
    }

    /** A person's account (or API user) by username; customers and product accounts are not found here. */
    public Optional<User> findUser(String username) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + USER_COLS + " FROM users u WHERE u.username = ? AND u.kind = 'user'")
                .bind(0, username).map((rs, ctx) -> user(rs)).findOne());
    }

    /** An account of a product: a customer by email, or the product account ({@code email} null). */
    public Optional<User> findProductUser(long productId, User.Kind kind, String email) {
        String sql = "SELECT " + USER_COLS + " FROM users u WHERE u.product_id = ? AND u.kind = ? AND "
                + (email == null ? "u.email IS NULL" : "u.email = ?");
        return jdbi.withHandle(h -> {
            var q = h.createQuery(sql).bind(0, productId).bind(1, kind.stored());
            if (email != null) q.bind(2, email);
            return q.map((rs, ctx) -> user(rs)).findOne();
        });
    }

    /** Creates a customer or the product account; the username is internal and never shown. */
    public User createProductUser(long productId, User.Kind kind, String email, String passwordHash, long now) {
        String username = kind.stored() + "/" + productId + (email == null ? "" : "/" + email);
        long id = jdbi.withHandle(h -> h.createUpdate("""
                        INSERT INTO users(username, password_hash, platform_admin, programmatic, created_at, kind, product_id, email)
                        VALUES (?, ?, FALSE, ?, ?, ?, ?, ?)""")
                .bind(0, username).bind(1, passwordHash).bind(2, kind == User.Kind.PRODUCT).bind(3, now)
                .bind(4, kind.stored()).bind(5, productId).bind(6, email)
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
        return new User(id, username, passwordHash, false, now, kind, productId, email);
    }

    public List<User> customers(long productId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + USER_COLS
                        + " FROM users u WHERE u.product_id = ? AND u.kind = 'customer' ORDER BY u.email")
                .bind(0, productId).map((rs, ctx) -> user(rs)).list());
    }

    public void setPassword(long userId, String passwordHash) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE users SET password_hash = ? WHERE id = ?")
                .bind(0, passwordHash).bind(1, userId).execute());
    }

    /** Removes the tokens issued through a client and returns their hashes (so streams can end). */
    public List<String> deleteClientTokens(String clientId) {
        return jdbi.inTransaction(h -> {
            List<String> hashes = h.createQuery("SELECT token_hash FROM access_tokens WHERE client_id = ?")
                    .bind(0, clientId).mapTo(String.class).list();
            h.createUpdate("DELETE FROM access_tokens WHERE client_id = ?").bind(0, clientId).execute();
            h.createUpdate("DELETE FROM refresh_tokens WHERE client_id = ?").bind(0, clientId).execute();
            return hashes;
        });
    }

    public void insertAccessToken(String tokenHash, long userId, String clientId, Long expiresAt, long now) {
        jdbi.useHandle(h -> h.createUpdate(
                        "INSERT INTO access_tokens(token_hash, user_id, client_id, expires_at, created_at) VALUES (?, ?, ?, ?, ?)")
                .bind(0, tokenHash).bind(1, userId).bind(2, clientId).bind(3, expiresAt).bind(4, now).execute());
    }

    public void insertRefreshToken(String tokenHash, long userId, String clientId, long expiresAt, long now) {
        jdbi.useHandle(h -> h.createUpdate(
                        "INSERT INTO refresh_tokens(token_hash, user_id, client_id, expires_at, created_at) VALUES (?, ?, ?, ?, ?)")
                .bind(0, tokenHash).bind(1, userId).bind(2, clientId).bind(3, expiresAt).bind(4, now).execute());
    }

    public Optional<StoredToken> findAccessToken(String tokenHash) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT %s, t.client_id, t.expires_at
                        FROM access_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?""".formatted(USER_COLS))
                .bind(0, tokenHash)
                .map((rs, ctx) -> new StoredToken(
                        user(rs), rs.getString(9), (Long) rs.getObject(10, Long.class)))
                .findOne());
    }

    /** Removes a refresh token and returns what it stood for: each one is usable once. */
    public Optional<StoredToken> takeRefreshToken(String tokenHash) {
        return jdbi.inTransaction(h -> {
            Optional<StoredToken> found = h.createQuery("""
                            SELECT %s, t.client_id, t.expires_at
                            FROM refresh_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?""".formatted(USER_COLS))
                    .bind(0, tokenHash)
                    .map((rs, ctx) -> new StoredToken(
                            user(rs), rs.getString(9), rs.getLong(10)))
                    .findOne();
            int removed = h.createUpdate("DELETE FROM refresh_tokens WHERE token_hash = ?").bind(0, tokenHash).execute();
            return removed == 1 ? found : Optional.empty();
        });
    }

    public boolean deleteAccessToken(String tokenHash) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM access_tokens WHERE token_hash = ?")
                .bind(0, tokenHash).execute()) > 0;
    }

    public Optional<StoredClient> findClient(String id) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT id, secret_hash, name, client_type, owner_user_id, product_id FROM oauth_clients WHERE id = ?")
                .bind(0, id)
                .map((rs, ctx) -> new StoredClient(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        (Long) rs.getObject(5, Long.class), (Long) rs.getObject(6, Long.class)))
                .findOne());
    }
}
