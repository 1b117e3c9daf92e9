package dev.fanout.ingest.it;

import static dev.fanout.ingest.it.Bodies.ndjson;
import static dev.fanout.ingest.it.Bodies.utf8;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.google.pubsub.v1.PubsubMessage;
import dev.fanout.events.port.EventPublisher;
import io.grpc.Status;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Pub/Sub trouble never yields a 2xx: 503 with Retry-After, and what the retry publishes is the same
 * events with the same ids. %test: publish-timeout 5s, readiness failure threshold 1, at most 50
 * events per message, one message per publish request, max-outstanding-bytes 64 KiB.
 * (publish-timeout 5s, not less: a cold first publish on a loaded 2-core CI machine takes seconds.)
 */
@QuarkusTest
@QuarkusTestResource(FakeBus.class)
class PublishFailureTests {

    @Inject
    EventPublisher publisher;

    @BeforeEach
    void clean() {
        FakeBus.reset();
    }

    @AfterEach
    void drain() {
        FakeBus.reset();
        // Publishes still in flight (slow fake) would leak into the next test's backpressure bound.
        Await.until("outstanding publishes to finish", () -> publisher.outstandingBytes() == 0, Duration.ofSeconds(15));
    }

    private static ValidatableResponse post(byte[] body) {
        return given().header("Authorization", "Bearer test-token-a").body(body).when().post("/v1/events").then();
    }

    private static ValidatableResponse ready() {
        return given().when().get("/q/health/ready").then();
    }

    @Test
    void unavailablePubSubIs503AndNothingIsAcknowledged() {
        FakeBus.failWhen(m -> true, Status.UNAVAILABLE);
        post(utf8(ndjson("down", 3, "info"))).statusCode(503)
                .header("Retry-After", "5")
                .body("error", equalTo("publish_failed"))
                .body("message", containsString("UNAVAILABLE"))
                .body("request_id", org.hamcrest.Matchers.notNullValue());
        assertThat(FakeBus.messages()).isEmpty();
        ready().statusCode(503).body("status", equalTo("DOWN"));

        FakeBus.reset();
        post(utf8(ndjson("up", 1, "info"))).statusCode(200);
        ready().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void transientUnavailableIsRetriedByTheClient() {
        // One failure is within the client's retry budget (2 attempts): the request still succeeds.
        FakeBus.failNext(1, Status.UNAVAILABLE);
        post(utf8(ndjson("blip", 2, "info"))).statusCode(200).body("accepted", equalTo(2));
        assertThat(FakeBus.envelopesRaw()).containsExactly("blip-0", "blip-1");
    }

    @Test
    void partiallyFailedBatchIs503AndTheRetryPublishesTheSameIds() {
        // 150 events → 3 messages of 50; only the middle one (the errors) fails.
        String body = ndjson("p", 50, "info") + ndjson("q", 50, "error") + ndjson("r", 50, "info");
        FakeBus.failWhen(m -> "error".equals(m.getAttributesMap().get("max_severity")), Status.UNAVAILABLE);
        post(utf8(body)).statusCode(503)
                .header("Retry-After", "5")
                .body("error", equalTo("publish_failed"))
                .body("message", containsString("1 of 3"));
        List<PubsubMessage> firstAttempt = FakeBus.messages();
        assertThat(firstAttempt).hasSize(2);
        List<String> firstIds = FakeBus.ids();
        assertThat(firstIds).hasSize(100);
        assertThat(FakeBus.envelopesRaw()).noneMatch(raw -> raw.startsWith("q-"));

        FakeBus.reset();
        post(utf8(body)).statusCode(200).body("accepted", equalTo(150));
        List<String> retryIds = FakeBus.ids();
        assertThat(retryIds).hasSize(150).doesNotHaveDuplicates().containsAll(firstIds);
        List<String> expectedRaws = new java.util.ArrayList<>();
        for (String prefix : List.of("p", "q", "r")) {
            for (int i = 0; i < 50; i++) {
                expectedRaws.add(prefix + "-" + i);
            }
        }
        assertThat(FakeBus.envelopesRaw()).containsExactlyInAnyOrderElementsOf(expectedRaws);
    }

    @Test
    void slowPubSubIs503BeforeTheDeadline() {
        FakeBus.delay(Duration.ofSeconds(8));
        ExtractableResponse<Response> r = post(utf8(ndjson("slow", 2, "info"))).statusCode(503)
                .header("Retry-After", "5")
                .body("error", equalTo("publish_timeout"))
                .body("message", containsString("5000 ms"))
                .extract();
        // The bridge's own deadline answered (the fake would have confirmed after 8 s).
        assertThat(r.jsonPath().getString("message")).contains("did not confirm 1 of 1");
        ready().statusCode(503);
    }

    @Test
    void aRequestWhoseMessagesExceedTheBusBoundWaitsForRoomAndSucceeds() {
        // ~400 kB of barely compressible events → 6 messages of ~85 kB against a 64 KiB bound (client
        // flow control 128 KiB): the old bridge answered 503 backpressure on every try, even when idle.
        byte[] big = utf8(Bodies.incompressible(300, 1200, 11));
        post(big).statusCode(200).body("accepted", equalTo(300));
        assertThat(FakeBus.ids()).hasSize(300).doesNotHaveDuplicates();
        assertThat(FakeBus.messages()).hasSizeGreaterThan(2);
    }

    @Test
    void backpressureIs503Upfront() throws Exception {
        FakeBus.delay(Duration.ofSeconds(7));
        byte[] big = utf8(Bodies.incompressible(100, 1200, 7));
        CompletableFuture<Integer> first = CompletableFuture.supplyAsync(
                () -> post(big).extract().statusCode());
        Await.until("the first request to fill the outstanding-bytes bound",
                () -> publisher.outstandingBytes() >= 65536, Duration.ofSeconds(10));
        post(utf8(ndjson("pushed-back", 1, "info"))).statusCode(503)
                .header("Retry-After", "5")
                .body("error", equalTo("backpressure"))
                .body("message", containsString("65536"));
        assertThat(first.get()).isEqualTo(503);
    }
}
