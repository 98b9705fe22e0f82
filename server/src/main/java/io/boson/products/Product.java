package io.boson.products;

/**
 * A product: a fleet of devices of one platform. It is created by an account ({@code ownerUserId})
 * and may belong to an organization ({@code orgId}), which is then its billing owner.
 */
public record Product(long id, String slug, String name, String description, int platformId, Long ownerUserId,
                      long createdAt, Long orgId) {
}
