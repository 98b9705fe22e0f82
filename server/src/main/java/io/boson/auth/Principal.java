package io.boson.auth;

/**
 * Who is calling: the account behind a token. Services take it and check permissions themselves.
 *
 * @param tokenHash SHA-256 of the presented token, so "current token" calls can revoke it
 */
public record Principal(long userId, String username, boolean platformAdmin, String clientId, String tokenHash,
                        Long tokenExpiresAt) {
}
