package io.boson.http;

import io.boson.auth.AuthService;
import io.boson.auth.Principal;
import io.boson.errors.DomainException;
import io.javalin.http.Context;

/**
 * Finds the access token of a request: {@code Authorization: Bearer}, the {@code access_token}
 * query parameter, or an {@code access_token} form field. Using more than one at once is an error,
 * as in Particle.
 */
public final class Tokens {

    private final AuthService auth;

    public Tokens(AuthService auth) {
        this.auth = auth;
    }

    public Principal principal(Context ctx) {
        return auth.authenticate(token(ctx)).from(ctx.ip());
    }

    static String token(Context ctx) {
        String header = ctx.header("Authorization");
        String bearer = null;
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) bearer = header.substring(7).trim();
        String query = ctx.queryParam("access_token");
        String form = null;
        String type = ctx.contentType();
        if (type != null && type.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
            form = ctx.formParam("access_token");
        }
        int methods = (bearer != null ? 1 : 0) + (query != null ? 1 : 0) + (form != null ? 1 : 0);
        if (methods > 1) {
            throw DomainException.invalid("Only one method may be used to authenticate at a time (header, query or body)");
        }
        return bearer != null ? bearer : query != null ? query : form;
    }
}
