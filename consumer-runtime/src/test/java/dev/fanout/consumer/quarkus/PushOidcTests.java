package dev.fanout.consumer.quarkus;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.consumer.TestEvents;
import dev.fanout.consumer.push.TestOidc;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Push with OIDC on, tokens signed by a local issuer, for the configured audience. */
@QuarkusTest
@TestProfile(PushOidcTests.OidcOn.class)
class PushOidcTests {

    public static class OidcOn implements QuarkusTestProfile {
        @Override
        public java.util.List<TestResourceEntry> testResources() {
            return java.util.List.of(new TestResourceEntry(OidcResource.class));
        }
    }

    @Inject
    TestSinkBean sink;

    @BeforeEach
    void reset() {
        sink.reset();
    }

    /** The configured audience; tokens for the URL the request happens to reach are not enough. */
    static final String AUDIENCE = "https://consumer.example/v1/push";

    private static String audience() {
        return AUDIENCE;
    }

    private static String body(String prefix) {
        return PushResourceTests.pushBody(TestEvents.received(prefix, 1), 1);
    }

    @Test
    void aValidTokenIsAcceptedAndTheMessageWritten() {
        String token = OidcResource.oidc.token(TestOidc.claims(audience()));
        given().header("Authorization", "Bearer " + token).contentType("application/json").body(body("ok"))
                .when().post("/v1/push/test").then().statusCode(204);
        assertThat(sink.writtenIds()).containsExactly("ok-0");
    }

    @Test
    void noTokenIs401AndNothingIsWritten() {
        given().contentType("application/json").body(body("anon")).when().post("/v1/push/test").then().statusCode(401);
        assertThat(sink.writeCalls.get()).isZero();
    }

    @Test
    void aTokenForAnotherAudienceIs401() {
        String token = OidcResource.oidc.token(TestOidc.claims("https://elsewhere.example/v1/push/test"));
        given().header("Authorization", "Bearer " + token).contentType("application/json").body(body("aud"))
                .when().post("/v1/push/test").then().statusCode(401);
        assertThat(sink.writeCalls.get()).isZero();
    }

    /** The Host header is the caller's choice: a token minted for the URL the request reached is not enough. */
    @Test
    void aTokenForTheRequestedUrlButNotTheConfiguredAudienceIs401() {
        String token = OidcResource.oidc.token(TestOidc.claims("https://localhost:" + RestAssured.port + "/v1/push/test"));
        given().header("Authorization", "Bearer " + token).contentType("application/json").body(body("host"))
                .when().post("/v1/push/test").then().statusCode(401);
        assertThat(sink.writeCalls.get()).isZero();
    }

    @Test
    void aValidTokenOfAnotherPrincipalIs403() {
        Map<String, Object> c = TestOidc.claims(audience());
        c.put("email", "intruder@elsewhere.iam.gserviceaccount.com");
        given().header("Authorization", "Bearer " + OidcResource.oidc.token(c)).contentType("application/json")
                .body(body("who")).when().post("/v1/push/test").then().statusCode(403);
        assertThat(sink.writeCalls.get()).isZero();
    }
}
