package dev.fanout.consumer.push;

import com.google.api.client.json.webtoken.JsonWebSignature;
import com.google.api.client.json.webtoken.JsonWebToken;
import com.google.auth.oauth2.TokenVerifier;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * Verifies the OIDC token Pub/Sub attaches to push requests ({@code Authorization: Bearer <JWT>}).
 *
 * <p>Signature (RS256 against the JWKS at {@link Options#jwksUrl()}) and expiry are checked by
 * google-auth-library's {@link TokenVerifier}, which caches the keys for an hour; an unknown key id
 * or a failed fetch triggers a fresh verifier (new cache) at most once per
 * {@link Options#minRefresh()}, so Google's key rotation is picked up without hammering the JWKS.
 * Then: {@code iss} one of {@link Options#issuers()}, {@code aud} the expected audience, then the
 * principal: {@code email} the configured service account with {@code email_verified = true}.
 *
 * <p>The result distinguishes "no valid token" (401) from "valid token, wrong principal" (403).
 * Reasons never contain the token. This class blocks on a JWKS fetch when the cache is cold: call it
 * from a worker thread.
 */
public final class PushTokenVerifier {

    private static final Logger LOG = Logger.getLogger(PushTokenVerifier.class);
    private static final String BEARER = "bearer ";

    /**
     * @param audience            expected {@code aud}: the audience configured on the push subscription
     *                            (never derived from the request, whose Host header the caller controls)
     * @param serviceAccountEmail expected {@code email}
     * @param jwksUrl             JWKS location
     * @param issuers             accepted {@code iss} values
     * @param minRefresh          minimum interval between forced JWKS refetches
     */
    public record Options(String audience, String serviceAccountEmail, String jwksUrl, Set<String> issuers, Duration minRefresh) {
        public Options {
            if (audience == null || audience.isBlank()) {
                throw new IllegalArgumentException("an expected audience is required");
            }
            Objects.requireNonNull(serviceAccountEmail, "serviceAccountEmail");
            Objects.requireNonNull(jwksUrl, "jwksUrl");
            issuers = Set.copyOf(issuers);
            Objects.requireNonNull(minRefresh, "minRefresh");
        }
    }

    /** Outcome of one verification. */
    public sealed interface Result {
        /** Token valid and of the configured principal. */
        record Accepted(String email) implements Result {}

        /** No valid token: answer 401. */
        record Unauthenticated(String reason) implements Result {}

        /** Valid token of another (or unverified) principal: answer 403. */
        record Forbidden(String reason) implements Result {}
    }

    private final Options options;
    private final AtomicReference<TokenVerifier> verifier = new AtomicReference<>();
    private volatile long lastRebuildNanos;

    public PushTokenVerifier(Options options) {
        this.options = Objects.requireNonNull(options, "options");
        this.verifier.set(newVerifier());
        this.lastRebuildNanos = System.nanoTime();
    }

    public Options options() {
        return options;
    }

    /** @param authorization the {@code Authorization} header, or null */
    public Result verify(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            return new Result.Unauthenticated("missing Authorization header");
        }
        String h = authorization.strip();
        if (h.length() <= BEARER.length() || !h.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
            return new Result.Unauthenticated("Authorization header is not a Bearer token");
        }
        String token = h.substring(BEARER.length()).strip();
        JsonWebSignature jws;
        try {
            jws = verifySignature(token);
        } catch (TokenVerifier.VerificationException e) {
            return new Result.Unauthenticated("token rejected: " + safeMessage(e));
        } catch (RuntimeException e) {
            return new Result.Unauthenticated("token rejected: " + e.getClass().getSimpleName());
        }
        if (!"RS256".equals(jws.getHeader().getAlgorithm())) {
            return new Result.Unauthenticated("unexpected signing algorithm " + jws.getHeader().getAlgorithm());
        }
        JsonWebToken.Payload p = jws.getPayload();
        if (p.getExpirationTimeSeconds() == null) {
            return new Result.Unauthenticated("token has no exp");
        }
        if (p.getIssuer() == null || !options.issuers().contains(p.getIssuer())) {
            return new Result.Unauthenticated("unexpected issuer " + p.getIssuer());
        }
        String expectedAudience = options.audience();
        List<String> aud = p.getAudienceAsList();
        if (aud == null || !aud.contains(expectedAudience)) {
            return new Result.Unauthenticated("unexpected audience " + aud + " (expected " + expectedAudience + ")");
        }
        Object email = p.get("email");
        if (!(email instanceof String e) || !e.equalsIgnoreCase(options.serviceAccountEmail())) {
            return new Result.Forbidden("token of " + email + ", expected " + options.serviceAccountEmail());
        }
        Object verified = p.get("email_verified");
        if (!(Boolean.TRUE.equals(verified) || "true".equals(verified))) {
            return new Result.Forbidden("email " + e + " is not verified");
        }
        return new Result.Accepted(e);
    }

    private JsonWebSignature verifySignature(String token) throws TokenVerifier.VerificationException {
        TokenVerifier current = verifier.get();
        try {
            return current.verify(token);
        } catch (TokenVerifier.VerificationException e) {
            if (!isKeyProblem(e) || !mayRefresh()) {
                throw e;
            }
            TokenVerifier fresh = newVerifier();
            verifier.compareAndSet(current, fresh);
            LOG.infof("push OIDC: %s; refetched the JWKS from %s", safeMessage(e), options.jwksUrl());
            return verifier.get().verify(token);
        }
    }

    private boolean isKeyProblem(TokenVerifier.VerificationException e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("PublicKey") || m.contains("certificate");
    }

    private synchronized boolean mayRefresh() {
        long now = System.nanoTime();
        if (now - lastRebuildNanos < options.minRefresh().toNanos()) {
            return false;
        }
        lastRebuildNanos = now;
        return true;
    }

    private TokenVerifier newVerifier() {
        // Audience and issuer are checked above: several issuers are valid and the reasons differ.
        return TokenVerifier.newBuilder().setCertificatesLocation(options.jwksUrl()).build();
    }

    private static String safeMessage(Throwable e) {
        // The library's messages name the check that failed; they do not contain the token.
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
