package io.boson.auth;

/**
 * An error of the OAuth token endpoint, answered in OAuth's own shape
 * ({@code {"error", "error_description"}}) rather than the API's.
 */
public final class OAuthException extends RuntimeException {

    private final int status;
    private final String error;

    public OAuthException(int status, String error, String description) {
        super(description, null, false, false);
        this.status = status;
        this.error = error;
    }

    public static OAuthException invalidRequest(String description) {
        return new OAuthException(400, "invalid_request", description);
    }

    public static OAuthException invalidClient() {
        return new OAuthException(400, "invalid_client", "Client credentials are invalid");
    }

    public static OAuthException invalidGrant(String description) {
        return new OAuthException(400, "invalid_grant", description);
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }
}
