package io.boson.auth;

/**
 * Who is calling: the account behind a token. Services take it and check permissions themselves.
 *
 * @param tokenHash     SHA-256 of the presented token, so "current token" calls can revoke it
 * @param remoteAddress where the request came from, for the audit log (null for the server's own work)
 */
public record Principal(long userId, String username, boolean platformAdmin, String clientId, String tokenHash,
                        Long tokenExpiresAt, String remoteAddress) {

    public Principal(long userId, String username, boolean platformAdmin, String clientId, String tokenHash,
                     Long tokenExpiresAt) {
        this(userId, username, platformAdmin, clientId, tokenHash, tokenExpiresAt, null);
    }

    public Principal from(String address) {
        return new Principal(userId, username, platformAdmin, clientId, tokenHash, tokenExpiresAt, address);
    }
}
