package io.boson.orgs;

/** An organization: a team whose roles cascade to the products it owns, and their billing owner. */
public record Org(long id, String slug, String name, long createdAt) {
}
