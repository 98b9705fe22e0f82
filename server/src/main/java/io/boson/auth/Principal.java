package io.boson.auth;

import io.boson.errors.DomainException;

/**
 * Who is calling: the account behind a token. Services take it and check permissions themselves.
 *
 * @param kind          a person (or API user), a product's customer, or a product token's account
 * @param productId     the product a customer or product account belongs to; null for people
 * @param tokenHash     SHA-256 of the presented token, so "current token" calls can revoke it
 * @param remoteAddress where the request came from, for the audit log (null for the server's own work)
 */
public record Principal(long userId, String username, boolean platformAdmin, String clientId, String tokenHash,
                        Long tokenExpiresAt, String remoteAddress, User.Kind kind, Long productId) {

    public Principal(long userId, String username, boolean platformAdmin, String clientId, String tokenHash,
                     Long tokenExpiresAt) {
        this(userId, username, platformAdmin, clientId, tokenHash, tokenExpiresAt, null, User.Kind.USER, null);
    }

    public Principal from(String address) {
        return new Principal(userId, username, platformAdmin, clientId, tokenHash, tokenExpiresAt, address, kind, productId);
    }

    public boolean customer() {
        return kind == User.Kind.CUSTOMER;
    }

    /** Account-level calls (products, clients, claiming by ID) are for people, not customers or product tokens. */
    public void requirePerson(String what) {
        if (kind != User.Kind.USER) {
            throw DomainException.forbidden((customer() ? "Customers" : "Product tokens") + " cannot " + what);
        }
    }
}
