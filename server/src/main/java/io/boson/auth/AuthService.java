package io.boson.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.boson.bus.Bus;
import io.boson.bus.Subjects;
import io.boson.errors.DomainException;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Accounts and tokens: the OAuth grants, token checks and revocation, and account creation.
 * Tokens are random and opaque; only their SHA-256 is stored, so the database never holds a
 * usable token.
 */
public final class AuthService {

    /** Particle's default access token lifetime: 90 days. */
    public static final long DEFAULT_TOKEN_SECONDS = Duration.ofDays(90).toSeconds();
    /** Refresh tokens outlive their access token by 14 days. */
    public static final long REFRESH_EXTRA_SECONDS = Duration.ofDays(14).toSeconds();
    public static final int MIN_PASSWORD_LENGTH = 8;
    static final int PRINCIPAL_CACHE_SIZE = 100_000;
    static final Duration PRINCIPAL_CACHE_TTL = Duration.ofSeconds(30);

    /**
     * Clients that Particle's own tools send; they may use the password and refresh grants.
     * particle-cli logs in as {@code CLI2} and creates tokens ({@code particle token create}) as
     * {@code user}, both with the secret {@code client_secret_here}.
     */
    private static final Map<String, String> BUILT_IN_CLIENTS = Map.of(
            "particle", "particle",
            "particle-api", "particle-api",
            "particle-cli", "particle-cli",
            "CLI2", "client_secret_here",
            "user", "client_secret_here",
            // The web console's password grant (a public client: its pages are public, so is this).
            "boson-console", "boson-console");
    private static final Pattern USERNAME = Pattern.compile("[^\\s\\p{Cntrl}/]{1,254}");

    /**
     * Recently seen tokens, so that an API call costs no token query. Entries hold identity only
     * (permissions are checked against current data in the services), expiry is still checked on
     * every use with the clock, and revocation invalidates through the bus; the TTL only bounds
     * staleness for paths that might be added without an invalidation.
     */
    private final Cache<String, Principal> principals = Caffeine.newBuilder()
            .maximumSize(PRINCIPAL_CACHE_SIZE).expireAfterWrite(PRINCIPAL_CACHE_TTL).build();
    private final AccountRepository accounts;
    private final Bus bus;
    private final Clock clock;
    private final boolean openSignup;
    private final LoginThrottle logins;

    public AuthService(AccountRepository accounts, Bus bus, Clock clock, boolean openSignup) {
        this.accounts = accounts;
        this.bus = bus;
        // A revocation on any node drops the token from every node's cache at once.
        bus.subscribe(Subjects.tokenRevoked(), m -> principals.invalidate(new String(m.data(), StandardCharsets.US_ASCII)));
        this.clock = clock;
        this.openSignup = openSignup;
        this.logins = new LoginThrottle(clock);
    }

    /** A freshly issued token; the only moment the plain values exist outside the caller. */
    public record IssuedToken(String accessToken, long expiresIn, String refreshToken) {
    }

    /** Creates the platform admin on an empty store. Returns the generated password, if one was. */
    public Optional<String> bootstrapAdmin(String username, String password) {
        if (accounts.countUsers() > 0) return Optional.empty();
        boolean generate = password == null || password.isBlank();
        String pw = generate ? Secrets.randomAlnum(20) : password;
        accounts.createUser(username, Secrets.hashPassword(pw), true, now());
        return generate ? Optional.of(pw) : Optional.empty();
    }

    /**
     * Password grant. Through a product's OAuth client the username is the email of one of that
     * product's customers; through any other client it is a person's account.
     */
    public IssuedToken passwordGrant(String clientId, String clientSecret, String username, String password,
                                     String expiresIn, String remoteAddress) {
        Long productId = requireBuiltInOrStoredClient(clientId, clientSecret);
        if (username == null || password == null) {
            throw OAuthException.invalidRequest("Missing parameters: username and password are required");
        }
        long ttl = parseExpiresIn(expiresIn);
        logins.check(remoteAddress, username);
        Optional<User> found = productId != null
                ? accounts.findProductUser(productId, User.Kind.CUSTOMER, username.trim().toLowerCase(java.util.Locale.ROOT))
                : accounts.findUser(username);
        Optional<User> user = found.filter(u -> Secrets.verifyPassword(password, u.passwordHash()));
        if (user.isEmpty()) {
            logins.failed(remoteAddress, username);
            throw OAuthException.invalidGrant("User credentials are invalid");
        }
        logins.succeeded(remoteAddress, username);
        return issue(user.get().id(), clientId, ttl);
    }

    public IssuedToken refreshGrant(String clientId, String clientSecret, String refreshToken) {
        requireBuiltInOrStoredClient(clientId, clientSecret);
        if (refreshToken == null) throw OAuthException.invalidRequest("Missing parameter: refresh_token");
        AccountRepository.StoredToken stored = accounts.takeRefreshToken(Secrets.sha256(refreshToken))
                .filter(t -> t.clientId().equals(clientId) && t.expiresAt() > now())
                .orElseThrow(() -> OAuthException.invalidGrant("Invalid refresh token"));
        return issue(stored.user().id(), clientId, DEFAULT_TOKEN_SECONDS);
    }

    /**
     * Client credentials. An account's client gets a token for that account; a product's client a
     * product token, or with {@code scope=customer=<email>} a token for that customer of the product.
     */
    public IssuedToken clientCredentialsGrant(String clientId, String clientSecret, String expiresIn, String scope) {
        AccountRepository.StoredClient client = storedClient(clientId, clientSecret);
        long ttl = parseExpiresIn(expiresIn);
        if (client.productId() == null) {
            if (scope != null && !scope.isBlank()) throw new OAuthException(400, "invalid_scope", "Only product clients take a scope");
            return issue(client.ownerUserId(), clientId, ttl);
        }
        long productId = client.productId();
        if (scope == null || scope.isBlank()) {
            User account = accounts.findProductUser(productId, User.Kind.PRODUCT, null)
                    .orElseGet(() -> accounts.createProductUser(productId, User.Kind.PRODUCT, null, "none", now()));
            return issue(account.id(), clientId, ttl);
        }
        if (!scope.startsWith("customer=")) {
            throw new OAuthException(400, "invalid_scope", "scope must be customer=<email>");
        }
        String email = scope.substring("customer=".length()).trim().toLowerCase(java.util.Locale.ROOT);
        if (email.isEmpty()) throw new OAuthException(400, "invalid_scope", "scope must be customer=<email>");
        User customer = accounts.findProductUser(productId, User.Kind.CUSTOMER, email)
                .orElseThrow(() -> OAuthException.invalidGrant("No customer " + email + " in this product"));
        return issue(customer.id(), clientId, ttl);
    }

    /** The product a product client belongs to, after checking its secret; anything else is invalid_client. */
    public long productOfClient(String clientId, String clientSecret) {
        AccountRepository.StoredClient client = storedClient(clientId, clientSecret);
        if (client.productId() == null) {
            throw new OAuthException(400, "unauthorized_client", "Customers are created with a product's OAuth client");
        }
        return client.productId();
    }

    /** A token for a customer just created with a product client. */
    public IssuedToken issueCustomerToken(long customerUserId, String clientId) {
        return issue(customerUserId, clientId, DEFAULT_TOKEN_SECONDS);
    }

    /** Ends every token issued through a deleted client. */
    public void revokeClient(String clientId) {
        accounts.deleteClientTokens(clientId).forEach(this::revoked);
    }

    private AccountRepository.StoredClient storedClient(String clientId, String clientSecret) {
        if (clientId == null || clientSecret == null) throw OAuthException.invalidClient();
        if (BUILT_IN_CLIENTS.containsKey(clientId)) {
            throw new OAuthException(400, "unauthorized_client",
                    "The client_credentials grant needs a client created with POST /v1/clients");
        }
        return accounts.findClient(clientId)
                .filter(c -> Secrets.matchesSha256(clientSecret, c.secretHash()))
                .orElseThrow(OAuthException::invalidClient);
    }

    /** The account itself, for work the server does on its own behalf (the demo fleet); never from a request. */
    public Principal internalPrincipal(String username) {
        User u = accounts.findUser(username).orElseThrow(() -> DomainException.notFound("No such account: " + username));
        return new Principal(u.id(), u.username(), u.platformAdmin(), "internal", null, null);
    }

    /** Checks a presented token. Throws {@link DomainException.Unauthenticated} when it is no good. */
    public Principal authenticate(String token) {
        if (token == null || token.isBlank()) {
            throw new DomainException.Unauthenticated("The access token was not found", true);
        }
        String hash = Secrets.sha256(token);
        Principal p = principals.getIfPresent(hash);
        if (p == null) {
            AccountRepository.StoredToken stored = accounts.findAccessToken(hash)
                    .orElseThrow(() -> new DomainException.Unauthenticated("The access token provided is invalid.", false));
            User u = stored.user();
            p = new Principal(u.id(), u.displayName(), u.platformAdmin(), stored.clientId(), hash, stored.expiresAt(),
                    null, u.kind(), u.productId());
            principals.put(hash, p);
        }
        if (p.tokenExpiresAt() != null && p.tokenExpiresAt() <= now()) {
            throw new DomainException.Unauthenticated("The access token provided has expired.", false);
        }
        return p;
    }

    /** A non-expiring token for a programmatic account (an API user). */
    public String issueApiToken(long userId) {
        return issue(userId, "api-user", 0).accessToken();
    }

    /** Revokes every token of an account, ending the streams opened with them. */
    public void revokeAll(long userId) {
        accounts.deleteAccessTokens(userId).forEach(this::revoked);
    }

    public void revokeCurrent(Principal principal) {
        if (accounts.deleteAccessToken(principal.tokenHash())) revoked(principal.tokenHash());
    }

    /** Knowing a token is enough to revoke it (particle-cli sends no credentials for this). */
    public void revoke(String token) {
        String hash = Secrets.sha256(token);
        if (!accounts.deleteAccessToken(hash)) throw DomainException.notFound("Token not found");
        revoked(hash);
    }

    /** Every node ends the event streams that were opened with this token. */
    private void revoked(String tokenHash) {
        bus.publish(Subjects.tokenRevoked(), tokenHash.getBytes(StandardCharsets.US_ASCII));
    }

    public User createUser(Principal caller, String username, String password) {
        if (!openSignup && (caller == null || !caller.platformAdmin())) {
            throw DomainException.forbidden("Only the platform admin can create accounts on this cloud");
        }
        if (username == null || !USERNAME.matcher(username).matches()) {
            throw DomainException.invalid("username must be 1 to 254 characters without spaces");
        }
        if (password == null || password.length() < MIN_PASSWORD_LENGTH) {
            throw DomainException.invalid("password must be at least " + MIN_PASSWORD_LENGTH + " characters");
        }
        if (accounts.findUser(username).isPresent()) {
            throw DomainException.conflict("That username is already taken");
        }
        return accounts.createUser(username, Secrets.hashPassword(password), false, now());
    }

    private IssuedToken issue(long userId, String clientId, long ttlSeconds) {
        String token = Secrets.token();
        long now = now();
        Long expiresAt = ttlSeconds == 0 ? null : now + ttlSeconds * 1000;
        accounts.insertAccessToken(Secrets.sha256(token), userId, clientId, expiresAt, now);
        String refresh = null;
        if (expiresAt != null) {
            refresh = Secrets.token();
            accounts.insertRefreshToken(Secrets.sha256(refresh), userId, clientId,
                    expiresAt + REFRESH_EXTRA_SECONDS * 1000, now);
        }
        return new IssuedToken(token, ttlSeconds, refresh);
    }

    /** Checks a client for the password and refresh grants; returns its product, if it is a product's client. */
    private Long requireBuiltInOrStoredClient(String clientId, String clientSecret) {
        if (clientId == null || clientSecret == null) throw OAuthException.invalidClient();
        String builtIn = BUILT_IN_CLIENTS.get(clientId);
        if (builtIn != null) {
            if (!builtIn.equals(clientSecret)) throw OAuthException.invalidClient();
            return null;
        }
        return accounts.findClient(clientId)
                .filter(c -> Secrets.matchesSha256(clientSecret, c.secretHash()))
                .orElseThrow(OAuthException::invalidClient).productId();
    }

    private static long parseExpiresIn(String value) {
        if (value == null || value.isBlank()) return DEFAULT_TOKEN_SECONDS;
        try {
            long v = Long.parseLong(value.trim());
            if (v < 0) throw OAuthException.invalidRequest("expires_in must be 0 (never) or a positive number of seconds");
            return v;
        } catch (NumberFormatException e) {
            throw OAuthException.invalidRequest("expires_in must be a whole number of seconds");
        }
    }

    private long now() {
        return clock.millis();
    }
}
