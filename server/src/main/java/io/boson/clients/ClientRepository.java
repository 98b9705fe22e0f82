package io.boson.clients;

import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;

import java.util.List;
import java.util.Optional;

public final class ClientRepository {

    private static final String SELECT = "SELECT id, name, client_type, redirect_uri, owner_user_id, product_id FROM oauth_clients";
    private static final RowMapper<OAuthClient> MAPPER = (rs, ctx) -> new OAuthClient(rs.getString(1), rs.getString(2),
            rs.getString(3), rs.getString(4), rs.getObject(5, Long.class), rs.getObject(6, Long.class));

    private final Jdbi jdbi;

    public ClientRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public void create(OAuthClient c, String secretHash, long now) {
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO oauth_clients(id, secret_hash, name, client_type, redirect_uri, owner_user_id, product_id, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)""")
                .bind(0, c.id()).bind(1, secretHash).bind(2, c.name()).bind(3, c.type()).bind(4, c.redirectUri())
                .bind(5, c.ownerUserId()).bind(6, c.productId()).bind(7, now).execute());
    }

    public boolean exists(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM oauth_clients WHERE id = ?").bind(0, id)
                .mapTo(Long.class).one()) > 0;
    }

    public Optional<OAuthClient> find(String id) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + " WHERE id = ?").bind(0, id).map(MAPPER).findOne());
    }

    public List<OAuthClient> ofUser(long userId) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + " WHERE owner_user_id = ? AND product_id IS NULL ORDER BY created_at, id")
                .bind(0, userId).map(MAPPER).list());
    }

    public List<OAuthClient> ofProduct(long productId) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + " WHERE product_id = ? ORDER BY created_at, id")
                .bind(0, productId).map(MAPPER).list());
    }

    public void rename(String id, String name) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE oauth_clients SET name = ? WHERE id = ?").bind(0, name).bind(1, id).execute());
    }

    public void delete(String id) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM oauth_clients WHERE id = ?").bind(0, id).execute());
    }
}
