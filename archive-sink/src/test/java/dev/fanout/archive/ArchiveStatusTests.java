package dev.fanout.archive;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.events.BusMessage;
import dev.fanout.events.Envelope;
import dev.fanout.events.EnvelopeCodec;
import dev.fanout.events.MessageEncoder;
import dev.fanout.events.MessageEncoderOptions;
import dev.fanout.events.status.BuildInfo;
import dev.fanout.testsupport.events.TestEvents;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** {@code GET /v1/status} of the archive sink: build metadata, health and the sink's counters. */
@QuarkusTest
class ArchiveStatusTests {

    private static JsonNode status() throws Exception {
        String body = given().when().get("/v1/status").then().statusCode(200)
                .header("Cache-Control", "no-store").contentType("application/json").extract().asString();
        assertThat(body).as("no store location in an unauthenticated document").doesNotContain("quarkus-test-archive");
        return EnvelopeCodec.mapper().readTree(body);
    }

    @Test
    void servesVersionHealthAndTheArchiveSinksCounters() throws Exception {
        JsonNode before = status();
        assertThat(before.path("service").asText()).isEqualTo("archive-sink");
        // Baked by the git-commit-id plugin into target/classes: a 7-hex sha in a git checkout.
        BuildInfo build = BuildInfo.current();
        assertThat(build.version()).matches("[0-9a-f]{7}(-dirty)?|unknown");
        assertThat(build.buildTime()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        assertThat(before.path("version").asText()).isEqualTo(build.version());
        assertThat(before.path("build_time").asText()).isEqualTo(build.buildTime());
        assertThat(before.path("healthy").asBoolean()).isTrue();
        JsonNode sink = before.path("sinks").path("archive");
        assertThat(sink.path("ready").asBoolean()).isTrue();
        long written = sink.path("written_events").asLong();

        List<Envelope> events = TestEvents.batch(9_100_000, 5, Instant.parse("2026-11-23T09:00:00Z"), 1_000L);
        BusMessage m = new MessageEncoder(MessageEncoderOptions.defaults()).encode(events, null).get(0);
        String attrs = m.attributes().entrySet().stream().map(e -> "\"" + e.getKey() + "\":\"" + e.getValue() + "\"")
                .collect(Collectors.joining(",", "{", "}"));
        String push = "{\"message\":{\"data\":\"" + Base64.getEncoder().encodeToString(m.data()) + "\",\"attributes\":" + attrs
                + ",\"messageId\":\"status-1\",\"publishTime\":\"2026-11-23T09:00:00.000Z\"},"
                + "\"subscription\":\"projects/p/subscriptions/archive-push\"}";
        Instant sent = Instant.now();
        given().contentType("application/json").body(push).when().post("/v1/push/archive").then().statusCode(204);

        JsonNode after = status().path("sinks").path("archive");
        // An earlier test's archive may already hold these ids: written counts what the sink confirmed.
        assertThat(after.path("written_events").asLong()).isGreaterThanOrEqualTo(written);
        assertThat(after.path("received_messages").asLong()).isEqualTo(sink.path("received_messages").asLong() + 1);
        assertThat(after.path("acked_messages").asLong()).isEqualTo(sink.path("acked_messages").asLong() + 1);
        assertThat(Instant.parse(after.path("last_received_at").asText())).isAfterOrEqualTo(sent.minusSeconds(1));
        assertThat(after.path("backlog").path("messages").asLong()).isZero();
        assertThat(after.path("backlog").path("bytes").asLong()).isZero();
        assertThat(after.path("dead_lettered").has("events")).isTrue();
        assertThat(after.path("dead_lettered").has("messages")).isTrue();
        assertThat(after.has("last_failure")).isTrue();
        assertThat(after.has("bus_backlog")).as("push mode has no local bus").isFalse();
    }
}
