package io.boson.auth;

public record User(long id, String username, String passwordHash, boolean platformAdmin, long createdAt) {
}
