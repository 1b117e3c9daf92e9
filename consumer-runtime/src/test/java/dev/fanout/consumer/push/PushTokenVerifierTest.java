package dev.fanout.consumer.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PushTokenVerifierTest {

    private static final String AUD = "https://archive-sink-abc-ew.a.run.app/v1/push/archive";
    private static TestOidc oidc;

    @BeforeAll
    static void start() throws Exception {
        oidc = new TestOidc();
    }

    @AfterAll
    static void stop() {
        oidc.close();
    }

    private static PushTokenVerifier verifier(String audience, Duration minRefresh) {
        return new PushTokenVerifier(new PushTokenVerifier.Options(audience, TestOidc.SERVICE_ACCOUNT, oidc.jwksUrl(),
                Set.of("https://accounts.google.com", "accounts.google.com"), minRefresh));
    }

    private static PushTokenVerifier verifier() {
        return verifier(AUD, Duration.ofSeconds(30));
    }

    private static PushTokenVerifier.Result verify(PushTokenVerifier v, String token) {
        return v.verify("Bearer " + token);
    }

    @Test
    void acceptsAValidToken() {
        assertThat(verify(verifier(), oidc.token(TestOidc.claims(AUD))))
                .isEqualTo(new PushTokenVerifier.Result.Accepted(TestOidc.SERVICE_ACCOUNT));
    }

    @Test
    void acceptsTheIssuerWithoutScheme() {
        Map<String, Object> c = TestOidc.claims(AUD);
        c.put("iss", "accounts.google.com");
        assertThat(verify(verifier(), oidc.token(c))).isInstanceOf(PushTokenVerifier.Result.Accepted.class);
    }

    @Test
    void rejectsAnExpiredToken() {
        Map<String, Object> c = TestOidc.claims(AUD);
        c.put("iat", Instant.now().getEpochSecond() - 7200);
        c.put("exp", Instant.now().getEpochSecond() - 3600);
        assertThat(verify(verifier(), oidc.token(c)))
                .isInstanceOfSatisfying(PushTokenVerifier.Result.Unauthenticated.class, u -> assertThat(u.reason()).contains("expired"));
    }

    @Test
    void rejectsATokenWithoutExpiry() {
        Map<String, Object> c = TestOidc.claims(AUD);
        c.remove("exp");
        assertThat(verify(verifier(), oidc.token(c))).isInstanceOf(PushTokenVerifier.Result.Unauthenticated.class);
    }

    @Test
    void rejectsTheWrongAudience() {
        assertThat(verify(verifier(), oidc.token(TestOidc.claims("https://elsewhere.example/push"))))
                .isInstanceOfSatisfying(PushTokenVerifier.Result.Unauthenticated.class, u -> assertThat(u.reason()).contains("audience"));
    }

    @Test
    void rejectsTheWrongIssuer() {
        Map<String, Object> c = TestOidc.claims(AUD);
        c.put("iss", "https://evil.example");
        assertThat(verify(verifier(), oidc.token(c)))
                .isInstanceOfSatisfying(PushTokenVerifier.Result.Unauthenticated.class, u -> assertThat(u.reason()).contains("issuer"));
    }

    @Test
    void forbidsAValidTokenOfAnotherServiceAccount() {
        Map<String, Object> c = TestOidc.claims(AUD);
        c.put("email", "someone-else@other-project.iam.gserviceaccount.com");
        assertThat(verify(verifier(), oidc.token(c))).isInstanceOf(PushTokenVerifier.Result.Forbidden.class);
    }

    @Test
    void forbidsAnUnverifiedEmail() {
        Map<String, Object> c = TestOidc.claims(AUD);
        c.put("email_verified", false);
        assertThat(verify(verifier(), oidc.token(c)))
                .isInstanceOfSatisfying(PushTokenVerifier.Result.Forbidden.class, f -> assertThat(f.reason()).contains("not verified"));
    }

    @Test
    void rejectsABadSignatureEvenWithOtherwisePerfectClaims() {
        oidc.addKey("attacker", false);
        String forged = oidc.token(TestOidc.claims(AUD), "k1", "attacker");
        assertThat(verify(verifier(), forged)).isInstanceOf(PushTokenVerifier.Result.Unauthenticated.class);
    }

    @Test
    void aBadSignatureOfTheWrongPrincipalIsStill401Not403() {
        oidc.addKey("attacker2", false);
        Map<String, Object> c = TestOidc.claims(AUD);
        c.put("email", "x@y.z");
        assertThat(verify(verifier(), oidc.token(c, "k1", "attacker2"))).isInstanceOf(PushTokenVerifier.Result.Unauthenticated.class);
    }

    @Test
    void rejectsAMissingOrNonBearerHeaderOrGarbage() {
        PushTokenVerifier v = verifier();
        assertThat(v.verify(null)).isInstanceOf(PushTokenVerifier.Result.Unauthenticated.class);
        assertThat(v.verify("")).isInstanceOf(PushTokenVerifier.Result.Unauthenticated.class);
        assertThat(v.verify("Basic dXNlcjpwdw==")).isInstanceOf(PushTokenVerifier.Result.Unauthenticated.class);
        assertThat(v.verify("Bearer not-a-jwt")).isInstanceOf(PushTokenVerifier.Result.Unauthenticated.class);
    }

    /** The expected audience is configuration, never the request's Host header (which the caller picks). */
    @Test
    void anAudienceMustBeConfigured() {
        assertThatThrownBy(() -> verifier(null, Duration.ofSeconds(30))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("audience");
        assertThatThrownBy(() -> verifier(" ", Duration.ofSeconds(30))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void cachesTheKeysAndPicksUpARotatedKey() {
        PushTokenVerifier v = verifier(AUD, Duration.ZERO);
        int before = oidc.fetches.get();
        assertThat(verify(v, oidc.token(TestOidc.claims(AUD)))).isInstanceOf(PushTokenVerifier.Result.Accepted.class);
        assertThat(verify(v, oidc.token(TestOidc.claims(AUD)))).isInstanceOf(PushTokenVerifier.Result.Accepted.class);
        assertThat(oidc.fetches.get() - before).as("one JWKS fetch for two tokens").isEqualTo(1);

        oidc.addKey("k2", false);
        oidc.publish("k2"); // Google rotates: a new key appears in the JWKS
        assertThat(verify(v, oidc.token(TestOidc.claims(AUD), "k2", "k2"))).isInstanceOf(PushTokenVerifier.Result.Accepted.class);
        assertThat(oidc.fetches.get() - before).isEqualTo(2);
    }

    @Test
    void reasonsNeverContainTheToken() {
        Map<String, Object> c = TestOidc.claims("https://elsewhere.example/push");
        String token = oidc.token(c);
        PushTokenVerifier.Result r = verify(verifier(), token);
        assertThat(r.toString()).doesNotContain(token).doesNotContain(token.substring(token.lastIndexOf('.') + 1));
    }
}
