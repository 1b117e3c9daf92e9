package dev.fanout.consumer.quarkus;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import dev.fanout.consumer.TestEvents;
import dev.fanout.events.ReceivedMessage;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.Base64;
import java.util.stream.Collectors;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Push mode with OIDC off (test profile): the resource, batching, health and metrics of a one-sink app. */
@QuarkusTest
class PushResourceTests {

    @Inject
    TestSinkBean sink;

    @BeforeEach
    void reset() {
        sink.reset();
    }

    static String pushBody(ReceivedMessage m, int attempt) {
        String attrs = m.attributes().entrySet().stream()
                .map(e -> "\"" + e.getKey() + "\":\"" + e.getValue().replace("\"", "\\\"") + "\"")
                .collect(Collectors.joining(",", "{", "}"));
        return "{\"message\":{\"data\":\"" + Base64.getEncoder().encodeToString(m.data()) + "\",\"attributes\":" + attrs
                + ",\"messageId\":\"" + m.messageId() + "\",\"message_id\":\"" + m.messageId()
                + "\",\"publishTime\":\"2026-11-23T10:00:00.123Z\"},\"subscription\":\"projects/p/subscriptions/archive-push\""
                + ",\"deliveryAttempt\":" + attempt + "}";
    }

    @Test
    void aPushIsAnswered204OnlyAfterItsEventsWereWritten() {
        given().contentType("application/json").body(pushBody(TestEvents.received("p", 3), 1))
                .when().post("/v1/push/test").then().statusCode(204);

        assertThat(sink.writtenIds()).containsExactly("p-0", "p-1", "p-2");
    }

    @Test
    void theSinkLessPathWorksForAOneSinkApp() {
        given().contentType("application/json").body(pushBody(TestEvents.received("q", 1), 1))
                .when().post("/v1/push").then().statusCode(204);
        assertThat(sink.writtenIds()).containsExactly("q-0");
    }

    @Test
    void aFailingWriteAnswers503AndTheRedeliveryIsAcked() {
        sink.failNext.set(2); // both attempts of the first write
        String body = pushBody(TestEvents.received("r", 2), 1);

        given().contentType("application/json").body(body).when().post("/v1/push/test").then().statusCode(503);
        assertThat(sink.writtenIds()).isEmpty();

        given().contentType("application/json").body(body).when().post("/v1/push/test").then().statusCode(204);
        assertThat(sink.writtenIds()).containsExactly("r-0", "r-1");
    }

    @Test
    void anUndecodableMessageIsDeadLetteredInTheStoreAndAcked() throws Exception {
        ReceivedMessage bad = TestEvents.undecodable();
        given().contentType("application/json").body(pushBody(bad, 1)).when().post("/v1/push/test").then().statusCode(204);
        List<com.fasterxml.jackson.databind.JsonNode> lines = deadLetterLines();
        assertThat(lines).filteredOn(l -> l.path("message_id").asText().equals(bad.messageId())).singleElement()
                .satisfies(l -> {
                    assertThat(l.path("kind").asText()).isEqualTo("message");
                    assertThat(l.path("sink").asText()).isEqualTo("test");
                    assertThat(java.util.Base64.getDecoder().decode(l.path("data_base64").asText())).isEqualTo(bad.data());
                    assertThat(l.path("reason").asText()).isNotBlank();
                });
        assertThat(sink.batches).isEmpty();
    }

    @Test
    void aRecordTheSinkRejectsIsDeadLetteredTheOthersWrittenAndThePushAcked() throws Exception {
        sink.rejectIds.add("rj-1");
        given().contentType("application/json").body(pushBody(TestEvents.received("rj", 3), 1))
                .when().post("/v1/push/test").then().statusCode(204);
        assertThat(sink.writtenIds()).containsExactly("rj-0", "rj-2");
        assertThat(deadLetterLines()).filteredOn(l -> l.path("event").path("id").asText().equals("rj-1")).singleElement()
                .satisfies(l -> assertThat(l.path("reason").asText()).isEqualTo("refused: rj-1"));
    }

    @jakarta.inject.Inject
    dev.fanout.store.ObjectStore store;

    private List<com.fasterxml.jackson.databind.JsonNode> deadLetterLines() throws Exception {
        List<com.fasterxml.jackson.databind.JsonNode> out = new java.util.ArrayList<>();
        for (String key : store.list("dead-letter/sink=test/")) {
            byte[] body = store.get(key).orElseThrow().body();
            try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(body))) {
                for (String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
                    out.add(dev.fanout.events.EnvelopeCodec.mapper().readTree(line));
                }
            }
        }
        return out;
    }

    @Test
    void aBodyThatIsNotAPushEnvelopeIs400() {
        given().contentType("application/json").body("{\"hello\":1}").when().post("/v1/push/test")
                .then().statusCode(400).body(containsString("message"));
        given().contentType("application/json").body("not json").when().post("/v1/push/test").then().statusCode(400);
        given().contentType("application/json").body("{\"message\":{\"messageId\":\"1\",\"data\":\"***\"}}")
                .when().post("/v1/push/test").then().statusCode(400);
    }

    @Test
    void anUnknownSinkIs404() {
        given().contentType("application/json").body(pushBody(TestEvents.received("u", 1), 1))
                .when().post("/v1/push/nope").then().statusCode(404);
        assertThat(sink.writeCalls.get()).isZero();
    }

    @Test
    void readinessFollowsTheSinkCheck() {
        given().when().get("/q/health/ready").then().statusCode(200).body(containsString("\"test\": \"ok\""));
        sink.notReady = new IllegalStateException("bucket answers 403");
        given().when().get("/q/health/ready").then().statusCode(503).body(containsString("bucket answers 403"));
        given().when().get("/q/health/live").then().statusCode(200);
    }

    @Test
    void metricsAreTaggedBySink() {
        given().contentType("application/json").body(pushBody(TestEvents.received("m", 2), 1))
                .when().post("/v1/push/test").then().statusCode(204);
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("fanout_consumer_acked_total{sink=\"test\"}")
                .contains("fanout_consumer_written_total{sink=\"test\"}")
                .contains("fanout_consumer_batch_size_events_count{sink=\"test\"}")
                .contains("fanout_consumer_write_latency_seconds_count{outcome=\"success\",sink=\"test\"}");
    }

    @Inject
    ConsumerRuntime runtime;

    @Test
    void perSinkOverridesApplyOnTopOfTheDefaults() {
        var policy = runtime.batcher("test").orElseThrow().policy();
        assertThat(policy.maxEvents()).isEqualTo(500);
        assertThat(policy.maxAge()).isEqualTo(java.time.Duration.ofMillis(100));
        assertThat(policy.maxBytes()).isEqualTo(8L * 1024 * 1024);
    }
}
