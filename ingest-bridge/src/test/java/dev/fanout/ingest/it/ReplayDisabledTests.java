package dev.fanout.ingest.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The default: no replay token configured. {@code /v1/envelopes} then refuses everyone, even with
 * ingest auth switched off, and never falls back to the ingest tokens.
 */
@QuarkusTest
@QuarkusTestResource(FakeBus.class)
@TestProfile(ReplayDisabledTests.NoReplayTokens.class)
class ReplayDisabledTests {

    public static class NoReplayTokens implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("fanout.ingest.replay-tokens", "", "fanout.ingest.auth.enabled", "false");
        }
    }

    @BeforeEach
    void clean() {
        FakeBus.reset();
    }

    @Test
    void everyReplayIsRefusedWithAJsonBody() {
        byte[] body = (ReplayEnvelopeTests.line(ReplayEnvelopeTests.envelope("abababababababababababababababab", 1)) + "\n")
                .getBytes(StandardCharsets.UTF_8);
        for (String auth : new String[] {"Bearer test-token-a", "Bearer test-replay-token", "Bearer anything"}) {
            given().header("Authorization", auth).header("Fanout-Replay", "r1").body(body)
                    .when().post("/v1/envelopes").then().statusCode(403)
                    .body("error", equalTo("replay_disabled"));
        }
        given().header("Fanout-Replay", "r1").body(body).when().post("/v1/envelopes").then()
                .statusCode(401).body("error", equalTo("missing_token"));
        assertThat(FakeBus.messages()).isEmpty();
        // /v1/events itself is open in this profile: only the replay endpoint stays shut.
        given().body("{\"_raw\":\"open\"}\n").when().post("/v1/events").then().statusCode(200);
    }
}
