package dev.fanout.ingest.it;

import static dev.fanout.ingest.it.Bodies.event;
import static dev.fanout.ingest.it.Bodies.gzip;
import static dev.fanout.ingest.it.Bodies.ndjson;
import static dev.fanout.ingest.it.Bodies.utf8;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;

import com.google.pubsub.v1.PubsubMessage;
import dev.fanout.events.Envelope;
import dev.fanout.events.Severity;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(FakeBus.class)
class IngestHappyPathTests {

    static final String AUTH = "Bearer test-token-a";

    @BeforeEach
    void clean() {
        FakeBus.reset();
    }

    private static ValidatableResponse post(byte[] body, String contentType, String contentEncoding) {
        var req = given().header("Authorization", AUTH).body(body);
        if (contentType != null) {
            req = req.contentType(contentType);
        }
        if (contentEncoding != null) {
            req = req.header("Content-Encoding", contentEncoding);
        }
        return req.when().post("/v1/events").then();
    }

    @Test
    void ndjsonIsAcknowledgedOnlyWithEveryEventOnTheBus() {
        String body = event("first", "error") + "\r\n\n" + event("second", "info") + "\n";
        post(utf8(body), "application/x-ndjson", null)
                .statusCode(200)
                .body("accepted", equalTo(2))
                .body("malformed", equalTo(0))
                .body("request_id", matchesPattern("[0-9a-f]{32}"));

        List<PubsubMessage> messages = FakeBus.messages();
        assertThat(messages).hasSize(1);
        PubsubMessage m = messages.get(0);
        assertThat(m.getAttributesMap())
                .containsEntry("schema", "1")
                .containsEntry("encoding", "ndjson+gzip")
                .containsEntry("count", "2")
                .containsEntry("max_severity", "error");
        List<Envelope> envelopes = FakeBus.envelopes();
        assertThat(envelopes).extracting(Envelope::raw).containsExactly("first", "second");
        assertThat(envelopes).extracting(Envelope::severity).containsExactly(Severity.ERROR, Severity.INFO);
        assertThat(envelopes).allSatisfy(e -> {
            assertThat(e.host()).isEqualTo("web-1");
            assertThat(e.sourcetype()).isEqualTo("app");
            assertThat(e.malformed()).isFalse();
        });
    }

    @Test
    void theRequestsTraceContextTravelsWithTheMessages() {
        String requestId = post(utf8(ndjson("traced", 2, "info")), null, null).statusCode(200)
                .extract().jsonPath().getString("request_id");
        String traceparent = FakeBus.messages().get(0).getAttributesMap().get("traceparent");
        assertThat(traceparent).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]");
        // The request id is the trace id, so the sender's view, the logs and the trace line up.
        assertThat(traceparent.substring(3, 35)).isEqualTo(requestId);
    }

    @Test
    void sameBodyTwiceGivesTheSameIdsAndIdenticalEventsGetDifferentIds() {
        byte[] body = utf8(event("dup", "info") + "\n" + event("dup", "info") + "\n");
        post(body, null, null).statusCode(200).body("accepted", equalTo(2));
        List<String> first = FakeBus.ids();
        FakeBus.reset();
        post(body, null, null).statusCode(200);
        List<String> second = FakeBus.ids();
        assertThat(first).hasSize(2).doesNotHaveDuplicates();
        assertThat(second).isEqualTo(first);
    }

    @Test
    void jsonArrayIsAccepted() {
        String body = "[" + event("a", "debug") + "," + event("b", "warning") + "," + event("c", "info") + "]";
        post(utf8(body), "application/json", null).statusCode(200).body("accepted", equalTo(3));
        assertThat(FakeBus.envelopes()).extracting(Envelope::raw).containsExactly("a", "b", "c");
        assertThat(FakeBus.messages().get(0).getAttributesMap()).containsEntry("max_severity", "warning");
    }

    @Test
    void gzipDeclaredInTheHeaderIsInflated() {
        post(gzip(utf8(ndjson("gz", 3, "info"))), "application/x-ndjson", "gzip")
                .statusCode(200).body("accepted", equalTo(3));
        assertThat(FakeBus.envelopes()).extracting(Envelope::raw).containsExactly("gz-0", "gz-1", "gz-2");
    }

    @Test
    void gzipWithoutHeaderIsSniffed() {
        post(gzip(utf8(ndjson("sniffed", 2, "info"))), null, null)
                .statusCode(200).body("accepted", equalTo(2));
        assertThat(FakeBus.envelopes()).extracting(Envelope::raw).containsExactly("sniffed-0", "sniffed-1");
    }

    @Test
    void xGzipIsGzip() {
        post(gzip(utf8(ndjson("xg", 1, "info"))), "text/plain", "x-gzip").statusCode(200).body("accepted", equalTo(1));
    }

    @Test
    void customWrapperIsUnwrapped() {
        String body = "{\"items\":[" + event("w1", "info") + "," + event("w2", "critical") + "]}";
        post(utf8(body), "application/json", null).statusCode(200).body("accepted", equalTo(2));
        assertThat(FakeBus.envelopes()).extracting(Envelope::raw).containsExactly("w1", "w2");
        assertThat(FakeBus.messages().get(0).getAttributesMap()).containsEntry("max_severity", "critical");
    }

    @Test
    void putIsAcceptedLikePost() {
        given().header("Authorization", AUTH).body(utf8(ndjson("put", 1, "info")))
                .when().put("/v1/events").then().statusCode(200).body("accepted", equalTo(1));
        assertThat(FakeBus.envelopes()).extracting(Envelope::raw).containsExactly("put-0");
    }

    @Test
    void malformedLineIsKeptAndCounted() {
        String body = event("good", "info") + "\n{\"_raw\": broken json\n" + event("also-good", "info") + "\n";
        post(utf8(body), "application/x-ndjson", null)
                .statusCode(200).body("accepted", equalTo(3)).body("malformed", equalTo(1));
        List<Envelope> envelopes = FakeBus.envelopes();
        assertThat(envelopes).hasSize(3);
        assertThat(envelopes.get(1).malformed()).isTrue();
        assertThat(envelopes.get(1).raw()).isEqualTo("{\"_raw\": broken json");
        assertThat(envelopes.get(0).raw()).isEqualTo("good");
        assertThat(envelopes.get(2).raw()).isEqualTo("also-good");
    }

    @Test
    void manyEventsArePackedIntoSeveralMessagesAndAllArrive() {
        // %test packs at most 50 events per message.
        post(gzip(utf8(ndjson("bulk", 180, "info"))), null, "gzip").statusCode(200).body("accepted", equalTo(180));
        assertThat(FakeBus.messages()).hasSize(4);
        assertThat(FakeBus.envelopes()).extracting(Envelope::raw)
                // Separate publish RPCs may complete in any order (no ordering keys).
                .containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.range(0, 180).mapToObj(i -> "bulk-" + i).toList());
    }

    @Test
    void emptyBodyAcknowledgesNothing() {
        post(new byte[0], null, null).statusCode(200).body("accepted", equalTo(0)).body("malformed", equalTo(0));
        assertThat(FakeBus.messages()).isEmpty();
    }

    @Test
    void discardEndpointCountsBytes() {
        given().body(new byte[12345]).when().post("/bench/discard").then().statusCode(200).body("bytes", equalTo(12345));
    }

    @Test
    void metricsAndLivenessAreServed() {
        post(utf8(ndjson("metric", 1, "info")), null, null).statusCode(200);
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("fanout_ingest_events_received_total", "fanout_ingest_publish_latency_seconds",
                "fanout_ingest_outstanding_bytes", "fanout_ingest_bytes_received_bytes_total{stage=\"decompressed\"}",
                "fanout_ingest_requests_total{status=\"200\"}");
        given().when().get("/q/health/live").then().statusCode(200);
    }
}
