package dev.fanout.ingest.it;

import static dev.fanout.ingest.it.Bodies.ndjson;
import static dev.fanout.ingest.it.Bodies.utf8;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.events.EnvelopeCodec;
import dev.fanout.events.status.BuildInfo;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code GET /v1/status} of the bridge: unauthenticated, build metadata, last accepted request, publish health. */
@QuarkusTest
@QuarkusTestResource(FakeBus.class)
class IngestStatusTests {

    @BeforeEach
    void clean() {
        FakeBus.reset();
    }

    private static JsonNode status() throws Exception {
        String body = given().when().get("/v1/status").then().statusCode(200)
                .header("Cache-Control", "no-store").extract().asString();
        assertThat(body).as("no token in an unauthenticated document").doesNotContain("test-token");
        return EnvelopeCodec.mapper().readTree(body);
    }

    @Test
    void servesVersionAndTheLastAcceptedRequestWithoutAToken() throws Exception {
        Instant before = Instant.now();
        given().header("Authorization", "Bearer test-token-a").body(utf8(ndjson("status", 3, "info")))
                .when().post("/v1/events").then().statusCode(200);

        JsonNode s = status();
        assertThat(s.path("service").asText()).isEqualTo("ingest-bridge");
        assertThat(s.path("version").asText()).isEqualTo(BuildInfo.current().version()).matches("[0-9a-f]{7}(-dirty)?|unknown");
        assertThat(s.path("build_time").asText()).isEqualTo(BuildInfo.current().buildTime());
        assertThat(s.path("healthy").isBoolean()).isTrue();
        JsonNode ingest = s.path("ingest");
        assertThat(Instant.parse(ingest.path("last_accepted_at").asText())).isAfterOrEqualTo(before.minusSeconds(1));
        assertThat(ingest.path("publish").path("healthy").asBoolean()).isTrue();
        assertThat(ingest.path("publish").path("consecutive_failures").asInt()).isZero();
        assertThat(ingest.path("publish").path("shutting_down").asBoolean()).isFalse();
        assertThat(ingest.path("publish").has("outstanding_bytes")).isTrue();
        assertThat(s.has("sinks")).as("the bridge has no sinks").isFalse();
    }
}
