package dev.fanout.ingest.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuthorizationHeaderTest {

    private static String basic(String userPass) {
        return "Basic " + Base64.getEncoder().encodeToString(userPass.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void extractsTokenFromEveryAcceptedForm() {
        assertThat(AuthorizationHeader.token("Bearer s3cr3t")).contains("s3cr3t");
        assertThat(AuthorizationHeader.token("bearer   s3cr3t  ")).contains("s3cr3t");
        assertThat(AuthorizationHeader.token("Splunk s3cr3t")).contains("s3cr3t");
        assertThat(AuthorizationHeader.token("s3cr3t")).contains("s3cr3t");
        assertThat(AuthorizationHeader.token(basic("cribl:s3cr3t"))).contains("s3cr3t");
        assertThat(AuthorizationHeader.token(basic(":s3cr3t"))).contains("s3cr3t");
        // The password itself may contain a colon; only the first one separates the user.
        assertThat(AuthorizationHeader.token(basic("u:a:b"))).contains("a:b");
    }

    @Test
    void unknownSchemeMeansTheWholeValueIsTheToken() {
        assertThat(AuthorizationHeader.token("Token abc")).contains("Token abc");
    }

    @Test
    void missingOrMalformedGivesNothing() {
        assertThat(AuthorizationHeader.token(null)).isEmpty();
        assertThat(AuthorizationHeader.token("   ")).isEmpty();
        assertThat(AuthorizationHeader.token("Bearer")).isEmpty();
        assertThat(AuthorizationHeader.token("Bearer   ")).isEmpty();
        assertThat(AuthorizationHeader.token("Basic !!!not-base64")).isEmpty();
        assertThat(AuthorizationHeader.token(basic("no-colon"))).isEmpty();
        assertThat(AuthorizationHeader.token(basic("user:"))).isEmpty();
    }

    @Test
    void verifierAcceptsEveryConfiguredTokenAndNothingElse() {
        TokenVerifier v = new TokenVerifier(List.of(" old-token ", "new-token", ""));
        assertThat(v.size()).isEqualTo(2);
        assertThat(v.verify("old-token")).isTrue();
        assertThat(v.verify("new-token")).isTrue();
        assertThat(v.verify("new-token ")).isFalse();
        assertThat(v.verify("NEW-TOKEN")).isFalse();
        assertThat(v.verify("")).isFalse();
        assertThat(v.verify(null)).isFalse();
        assertThat(new TokenVerifier(List.of()).verify("anything")).isFalse();
    }
}
