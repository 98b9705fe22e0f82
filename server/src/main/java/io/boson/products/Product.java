package io.boson.products;

/** A product: a fleet of devices of one platform, owned by an account (organizations come later). */
public record Product(long id, String slug, String name, String description, int platformId, Long ownerUserId,
                      long createdAt) {
}
