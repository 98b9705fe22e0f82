package io.boson.products;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.boson.bus.Bus;
import io.boson.bus.Subjects;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Products. Every product API request looks its product up by id or slug, so products are cached
 * per node. A write of a product's row goes through {@link #changed(long)}: it forgets the product
 * on this node and tells the other nodes over the bus ({@link Subjects#productChanged()}), which
 * forget it too. A product read while a change commits is not kept (a generation number); the TTL
 * only bounds staleness should a bus message be lost. Products that do not exist are not cached
 * (one may be created on another node a moment later).
 */
public final class ProductRepository {

    public static final Duration CACHE_TTL = Duration.ofSeconds(30);

    private static final String SELECT =
            "SELECT id, slug, name, description, platform_id, owner_user_id, created_at, org_id FROM products";
    private static final RowMapper<Product> MAPPER = (rs, ctx) -> new Product(rs.getLong(1), rs.getString(2),
            rs.getString(3), rs.getString(4), rs.getInt(5), rs.getObject(6, Long.class), rs.getLong(7),
            rs.getObject(8, Long.class));

    private final Jdbi jdbi;
    private final Bus bus;
    private final Cache<Long, Product> byId = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(CACHE_TTL).build();
    private final Cache<String, Long> idBySlug = Caffeine.newBuilder().maximumSize(10_000).build();
    private final AtomicLong generation = new AtomicLong();

    public ProductRepository(Jdbi jdbi, Bus bus) {
        this.jdbi = jdbi;
        this.bus = bus;
        bus.subscribe(Subjects.productChanged(), m -> forget(Long.parseLong(new String(m.data(), StandardCharsets.US_ASCII))));
    }

    /** A product's row changed: this node and the others read it again. */
    private void changed(long id) {
        forget(id);
        bus.publish(Subjects.productChanged(), Long.toString(id).getBytes(StandardCharsets.US_ASCII));
    }

    private void forget(long id) {
        generation.incrementAndGet();
        byId.invalidate(id);
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
        Product known = byId.getIfPresent(id);
        if (known != null) return Optional.of(known);
        long before = generation.get();
        Optional<Product> read = jdbi.withHandle(h -> h.createQuery(SELECT + " WHERE id = ?").bind(0, id).map(MAPPER).findOne());
        read.ifPresent(p -> keep(p, before));
        return read;
    }

    /** A slug never changes, so it is kept as its product's id; the product itself comes from {@link #find}. */
    public Optional<Product> findBySlug(String slug) {
        Long id = idBySlug.getIfPresent(slug);
        if (id != null) return find(id);
        long before = generation.get();
        Optional<Product> read = jdbi.withHandle(h -> h.createQuery(SELECT + " WHERE slug = ?").bind(0, slug).map(MAPPER).findOne());
        read.ifPresent(p -> {
            idBySlug.put(slug, p.id());
            keep(p, before);
        });
        return read;
    }

    private void keep(Product p, long generationBefore) {
        byId.put(p.id(), p);
        // A change that committed while this was read may not be in it: do not keep it.
        if (generation.get() != generationBefore) byId.invalidate(p.id());
    }

    public boolean slugTaken(String slug) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM products WHERE slug = ?").bind(0, slug)
                .mapTo(Long.class).one()) > 0;
    }

    public void update(long id, String name, String description) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE products SET name = ?, description = ? WHERE id = ?")
                .bind(0, name).bind(1, description).bind(2, id).execute());
        changed(id);
    }

    public void setPlatform(long id, int platformId) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE products SET platform_id = ? WHERE id = ?")
                .bind(0, platformId).bind(1, id).execute());
        changed(id);
    }

    public long deviceCount(long productId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM devices WHERE product_id = ?").bind(0, productId)
                .mapTo(Long.class).one());
    }
}
