package io.boson.products;

import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;

import java.util.Optional;

public final class ProductRepository {

    private static final String SELECT =
            "SELECT id, slug, name, description, platform_id, owner_user_id, created_at, org_id FROM products";
    private static final RowMapper<Product> MAPPER = (rs, ctx) -> new Product(rs.getLong(1), rs.getString(2),
            rs.getString(3), rs.getString(4), rs.getInt(5), rs.getObject(6, Long.class), rs.getLong(7),
            rs.getObject(8, Long.class));

    private final Jdbi jdbi;

    public ProductRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public Product create(String slug, String name, String description, int platformId, long ownerUserId, Long orgId,
                          long now) {
        long id = jdbi.inTransaction(h -> {
            long created = h.createUpdate("""
                            INSERT INTO products(slug, name, description, platform_id, owner_user_id, created_at, org_id)
                            VALUES (?, ?, ?, ?, ?, ?, ?)""")
                    .bind(0, slug).bind(1, name).bind(2, description).bind(3, platformId).bind(4, ownerUserId).bind(5, now)
                    .bind(6, orgId)
                    .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
            h.createUpdate("INSERT INTO product_device_counts(product_id, devices, generation) VALUES (?, 0, 0)")
                    .bind(0, created).execute();
            return created;
        });
        return new Product(id, slug, name, description, platformId, ownerUserId, now, orgId);
    }

    public java.util.List<Product> ofOrg(long orgId) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + " WHERE org_id = ? ORDER BY id").bind(0, orgId).map(MAPPER).list());
    }

    public Optional<Product> find(long id) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + " WHERE id = ?").bind(0, id).map(MAPPER).findOne());
    }

    public Optional<Product> findBySlug(String slug) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + " WHERE slug = ?").bind(0, slug).map(MAPPER).findOne());
    }

    public boolean slugTaken(String slug) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM products WHERE slug = ?").bind(0, slug)
                .mapTo(Long.class).one()) > 0;
    }

    public void update(long id, String name, String description) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE products SET name = ?, description = ? WHERE id = ?")
                .bind(0, name).bind(1, description).bind(2, id).execute());
    }

    public void setPlatform(long id, int platformId) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE products SET platform_id = ? WHERE id = ?")
                .bind(0, platformId).bind(1, id).execute());
    }

    public long deviceCount(long productId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM devices WHERE product_id = ?").bind(0, productId)
                .mapTo(Long.class).one());
    }
}
