package io.boson.clients;

/** An OAuth client of an account or of a product. Its secret exists only as a hash. */
public record OAuthClient(String id, String name, String type, String redirectUri, Long ownerUserId, Long productId) {
}
