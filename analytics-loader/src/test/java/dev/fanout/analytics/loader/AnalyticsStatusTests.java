package dev.fanout.analytics.loader;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.events.status.BuildInfo;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** {@code GET /v1/status} of the analytics loader against the BigQuery fakes. */
@QuarkusTest
@QuarkusTestResource(value = BigQueryResource.class, restrictToAnnotatedClass = true)
class AnalyticsStatusTests {

    @Test
    void servesVersionHealthAndTheAnalyticsSink() throws Exception {
        JsonNode s = new ObjectMapper().readTree(given().when().get("/v1/status").then().statusCode(200).extract().asString());
        assertThat(s.path("service").asText()).isEqualTo("analytics-loader");
        assertThat(s.path("version").asText()).isEqualTo(BuildInfo.current().version());
        assertThat(s.path("healthy").asBoolean()).isTrue();
        JsonNode sink = s.path("sinks").path("analytics");
        assertThat(sink.path("ready").asBoolean()).isTrue();
        assertThat(sink.path("backlog").path("messages").asLong()).isZero();
        assertThat(sink.path("dead_lettered").path("events").isNumber()).isTrue();
        assertThat(sink.has("last_written_at")).isTrue();
        assertThat(s.has("alerts")).as("no alert engine in this app").isFalse();
    }
}
