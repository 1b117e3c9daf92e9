package dev.fanout.ingest.it;

import static dev.fanout.ingest.it.Bodies.event;
import static dev.fanout.ingest.it.Bodies.gzip;
import static dev.fanout.ingest.it.Bodies.utf8;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.pubsub.v1.PubsubMessage;
import dev.fanout.events.Envelope;
import dev.fanout.events.EnvelopeCodec;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.fanout.events.Severity;
import dev.fanout.events.port.EventPublisher;
import io.grpc.Status;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v1/envelopes} against the Pub/Sub fake: envelopes are published as given, with the
 * replay marker; a bad line costs only itself; only a replay token opens it (%test:
 * {@code fanout.ingest.replay-tokens=test-replay-token}, ingest tokens test-token-a/b).
 */
@QuarkusTest
@QuarkusTestResource(FakeBus.class)
class ReplayEnvelopeTests {

    static final String REPLAY_AUTH = "Bearer test-replay-token";

    @Inject
    EventPublisher publisher;

    @BeforeEach
    void clean() {
        FakeBus.reset();
    }

    @AfterEach
    void drain() {
        FakeBus.reset();
        Await.until("outstanding publishes to finish", () -> publisher.outstandingBytes() == 0, Duration.ofSeconds(15));
    }

    static Envelope envelope(String id, int i) {
        ObjectNode fields = JsonNodeFactory.instance.objectNode();
        fields.put("status", 200 + i);
        fields.putObject("nested").put("k", "v" + i);
        Instant time = Instant.parse("2026-11-23T10:00:00.123Z").plusSeconds(i * 61L);
        return new Envelope(id, Envelope.SCHEMA_V1, time, Envelope.TimeSource.EVENT, time.plusSeconds(5), "host-" + i,
                "src", "app", "main", i % 2 == 0 ? Severity.ERROR : Severity.INFO, "replayed " + i, fields, null);
    }

    static String line(Envelope e) {
        return new String(EnvelopeCodec.toJson(e), StandardCharsets.UTF_8);
    }

    private static ValidatableResponse post(String auth, String runId, byte[] body, boolean gzipped) {
        var req = given().body(body).contentType("application/x-ndjson");
        if (auth != null) {
            req = req.header("Authorization", auth);
        }
        if (runId != null) {
            req = req.header("Fanout-Replay", runId);
        }
        if (gzipped) {
            req = req.header("Content-Encoding", "gzip");
        }
        return req.when().post("/v1/envelopes").then();
    }

    @Test
    void envelopesArePublishedAsGivenWithTheReplayMarker() {
        List<Envelope> sent = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 120; i++) {
            Envelope e = envelope(String.format("%032x", 1_000_000L + i), i);
            sent.add(e);
            body.append(line(e)).append('\n');
        }
        post(REPLAY_AUTH, "replay-20261123-ab12", gzip(utf8(body.toString())), true)
                .statusCode(200)
                .body("accepted", equalTo(120))
                .body("rejected", equalTo(0))
                .body("rejected_lines.size()", equalTo(0))
                .body("request_id", notNullValue());

        List<PubsubMessage> messages = FakeBus.messages();
        // %test packs at most 50 events per message: the marker must be on every one of them.
        assertThat(messages).hasSize(3);
        assertThat(messages).allSatisfy(m -> assertThat(m.getAttributesMap())
                .containsEntry("replay", "replay-20261123-ab12")
                .containsEntry("schema", "1")
                .containsEntry("encoding", "ndjson+gzip"));
        // Everything kept: ids, event and receive times, severity, fields (the three messages are
        // published concurrently, so they may arrive in any order).
        assertThat(FakeBus.envelopes()).containsExactlyInAnyOrderElementsOf(sent);
    }

    @Test
    void aBadLineIsRejectedAndReportedAndTheRestIsKept() {
        Envelope a = envelope("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 1);
        Envelope b = envelope("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", 2);
        Envelope c = envelope("cccccccccccccccccccccccccccccccc", 3);
        String schema2 = line(c).replace("\"schema\":1", "\"schema\":2");
        assertThat(schema2).contains("\"schema\":2");
        String body = line(a) + "\n"
                + "not json at all\n"                                    // 2
                + line(b) + "\r\n"                                       // 3
                + "{\"schema\":1,\"time\":\"2026-11-23T10:00:00Z\"}\n"  // 4: no id
                + "\n"                                                   // 5: blank, skipped
                + schema2 + "\n"                                         // 6: a schema this bridge does not publish
                + line(c) + line(a) + "\n"                               // 7: two objects on one line
                + line(c);                                               // 8: last line without newline
        post(REPLAY_AUTH, "run-2", utf8(body), false)
                .statusCode(200)
                .body("accepted", equalTo(3))
                .body("rejected", equalTo(4))
                .body("rejected_lines", equalTo(List.of(2, 4, 6, 7)))
                .body("first_error", containsString("line 2"));
        assertThat(FakeBus.envelopes()).containsExactly(a, b, c);
        assertThat(FakeBus.messages()).allSatisfy(m -> assertThat(m.getAttributesMap()).containsEntry("replay", "run-2"));
    }

    @Test
    void linesGoIntoTheirMessageAsTheyCameUnlessOneCouldNotStandThere() throws Exception {
        Envelope a = envelope("a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1", 1);
        Envelope b = envelope("b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2", 2);
        // Keys in another order and a field this bridge does not know: valid, and left as written.
        ObjectNode reordered = JsonNodeFactory.instance.objectNode();
        reordered.put("raw", b.raw()).put("from_a_newer_writer", true);
        reordered.setAll((ObjectNode) EnvelopeCodec.mapper().readTree(line(b)));
        String bLine = EnvelopeCodec.mapper().writeValueAsString(reordered);
        assertThat(bLine).startsWith("{\"raw\":");
        post(REPLAY_AUTH, "run-asis", utf8(" \t" + line(a) + " \r\n" + bLine + "\n"), false)
                .statusCode(200)
                .body("accepted", equalTo(2));
        assertThat(FakeBus.envelopes()).containsExactly(a, b);
        String data = new String(gunzip(FakeBus.messages().get(0).getData().toByteArray()), StandardCharsets.UTF_8);
        assertThat(data).isEqualTo(line(a) + "\n" + bLine + "\n");

        // A byte-order mark parses on a line of its own but not after another line of a message:
        // that body is written again from its envelopes, and every event still decodes.
        FakeBus.reset();
        String bom = "\uFEFF";
        post(REPLAY_AUTH, "run-bom", utf8(line(a) + "\n" + bom + line(b) + "\n"), false)
                .statusCode(200)
                .body("accepted", equalTo(2));
        assertThat(FakeBus.envelopes()).containsExactly(a, b);
        String rewritten = new String(gunzip(FakeBus.messages().get(0).getData().toByteArray()), StandardCharsets.UTF_8);
        assertThat(rewritten).isEqualTo(line(a) + "\n" + line(b) + "\n");
    }

    private static byte[] gunzip(byte[] gz) throws java.io.IOException {
        try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }

    @Test
    void aBodyWithoutOneValidEnvelopeIs400AndPublishesNothing() {
        post(REPLAY_AUTH, "run-3", utf8("{\"_raw\":\"a cribl event, not an envelope\"}\nnope\n"), false)
                .statusCode(400)
                .body("error", equalTo("no_valid_envelopes"))
                .body("message", containsString("line 1"))
                .body("request_id", notNullValue());
        assertThat(FakeBus.messages()).isEmpty();
    }

    @Test
    void anEmptyBodyAcceptsNothing() {
        post(REPLAY_AUTH, "run-4", new byte[0], false).statusCode(200).body("accepted", equalTo(0)).body("rejected", equalTo(0));
        assertThat(FakeBus.messages()).isEmpty();
    }

    @Test
    void withoutATokenIs401() {
        byte[] body = utf8(line(envelope("dddddddddddddddddddddddddddddddd", 1)) + "\n");
        post(null, "run-5", body, false).statusCode(401)
                .header("WWW-Authenticate", containsString("Bearer"))
                .body("error", equalTo("missing_token"));
        assertThat(FakeBus.messages()).isEmpty();
    }

    @Test
    void aWrongTokenIs401() {
        byte[] body = utf8(line(envelope("dddddddddddddddddddddddddddddddd", 1)) + "\n");
        post("Bearer not-a-token", "run-6", body, false).statusCode(401).body("error", equalTo("invalid_token"));
        assertThat(FakeBus.messages()).isEmpty();
    }

    @Test
    void anIngestTokenCannotPostEnvelopes() {
        byte[] body = utf8(line(envelope("dddddddddddddddddddddddddddddddd", 1)) + "\n");
        for (String auth : List.of("Bearer test-token-a", "Bearer test-token-b",
                "Basic " + java.util.Base64.getEncoder().encodeToString("cribl:test-token-a".getBytes(StandardCharsets.UTF_8)))) {
            post(auth, "run-7", body, false).statusCode(403)
                    .body("error", equalTo("replay_token_required"))
                    .body("message", containsString("replay token"));
        }
        assertThat(FakeBus.messages()).isEmpty();
    }

    @Test
    void anIngestTokenCannotChooseIdsThroughTheCriblEndpointEither() {
        // An envelope line sent to /v1/events is a Cribl event like any other: the bridge derives
        // the id from the body, and the chosen id and times end up as plain fields.
        Envelope chosen = envelope("eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", 1);
        given().header("Authorization", "Bearer test-token-a").body(utf8(line(chosen) + "\n"))
                .when().post("/v1/events").then().statusCode(200).body("accepted", equalTo(1));
        List<Envelope> published = FakeBus.envelopes();
        assertThat(published).hasSize(1);
        assertThat(published.get(0).id()).isNotEqualTo(chosen.id()).hasSize(32);
        assertThat(published.get(0).receivedAt()).isNotEqualTo(chosen.receivedAt());
        assertThat(FakeBus.messages().get(0).getAttributesMap()).doesNotContainKey("replay");
    }

    @Test
    void theReplayTokenDoesNotOpenTheCriblEndpoint() {
        given().header("Authorization", REPLAY_AUTH).body(utf8(event("x", "info") + "\n"))
                .when().post("/v1/events").then().statusCode(401).body("error", equalTo("invalid_token"));
        assertThat(FakeBus.messages()).isEmpty();
    }

    @Test
    void theRunIdHeaderIsRequiredAndChecked() {
        byte[] body = utf8(line(envelope("ffffffffffffffffffffffffffffffff", 1)) + "\n");
        post(REPLAY_AUTH, null, body, false).statusCode(400).body("error", equalTo("replay_header_required"));
        post(REPLAY_AUTH, "has spaces", body, false).statusCode(400).body("error", equalTo("invalid_replay_id"));
        post(REPLAY_AUTH, "x".repeat(65), body, false).statusCode(400).body("error", equalTo("invalid_replay_id"));
        assertThat(FakeBus.messages()).isEmpty();
    }

    @Test
    void anUnavailableBusIs503WithRetryAfterAndTheRetryKeepsTheIds() {
        Envelope e = envelope("99999999999999999999999999999999", 4);
        byte[] body = utf8(line(e) + "\n");
        FakeBus.failWhen(m -> true, Status.UNAVAILABLE);
        post(REPLAY_AUTH, "run-8", body, false).statusCode(503)
                .header("Retry-After", "5")
                .body("error", equalTo("publish_failed"));
        assertThat(FakeBus.messages()).isEmpty();
        FakeBus.reset();
        post(REPLAY_AUTH, "run-8", body, false).statusCode(200).body("accepted", equalTo(1));
        assertThat(FakeBus.envelopes()).containsExactly(e);
    }

    @Test
    void aBodyOverTheDecompressedLimitIs413LikeIngest() {
        // %test: max-decompressed-bytes 4 MiB.
        StringBuilder big = new StringBuilder();
        int i = 0;
        while (big.length() < 4_300_000) {
            big.append(line(envelope(String.format("%032x", i), i++))).append('\n');
        }
        post(REPLAY_AUTH, "run-9", gzip(utf8(big.toString())), true).statusCode(413)
                .body("error", notNullValue())
                .body("request_id", notNullValue());
        assertThat(FakeBus.messages()).isEmpty();
    }
}
