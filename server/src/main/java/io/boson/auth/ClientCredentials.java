package io.boson.auth;

import io.javalin.http.Context;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** OAuth client credentials as a request carries them: HTTP Basic, or {@code client_id}/{@code client_secret} form fields. */
public record ClientCredentials(String id, String secret) {

    public static ClientCredentials of(Context ctx) {
        String basic = ctx.header("Authorization");
        if (basic != null && basic.regionMatches(true, 0, "Basic ", 0, 6)) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(basic.substring(6).trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw OAuthException.invalidClient();
            }
            int colon = decoded.indexOf(':');
            if (colon < 0) throw OAuthException.invalidClient();
            return new ClientCredentials(decoded.substring(0, colon), decoded.substring(colon + 1));
        }
        return new ClientCredentials(ctx.formParam("client_id"), ctx.formParam("client_secret"));
    }
}
