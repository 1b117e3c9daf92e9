package dev.fanout.local;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A full journal (its disk bound reached while the archive cannot write) turns into the bridge's
 * 503 + Retry-After, every request answered 200 before is archived once the store is back, and
 * ingest recovers; the shutdown gate answers 503 the same way.
 */
@QuarkusTest
@TestProfile(BackpressureTests.TinyBus.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BackpressureTests {

    /** A journal of one 4 KiB segment, in front of a store the test can hold shut. */
    public static class TinyBus extends LocalTestProfile {
        @Override
        protected Map<String, String> extraOverrides() {
            return Map.of("fanout.consumer.local.journal.max-disk-bytes", "4096",
                    "fanout.consumer.local.journal.segment-bytes", "4096",
                    "fanout.consumer.local.journal.checkpoint-interval", "100ms");
        }

        @Override
        public Set<Class<?>> getEnabledAlternatives() {
            return Set.of(GatedObjectStore.class);
        }
    }

    @ConfigProperty(name = "FANOUT_DATA_DIR")
    String dataDir;
    @Inject
    GatedObjectStore store;
    @Inject
    IngestGate gate;

    @Test
    @Order(1)
    void aFullBusAnswers503WithRetryAfterUntilTheArchiveCatchesUp() throws Exception {
        Path archive = Path.of(dataDir, "archive");
        List<String> acceptedIds = new java.util.ArrayList<>();
        byte[] refused = null;
        store.block();
        try {
            // Requests are answered 200 while the journal has room; the archive cannot write, so none is acked.
            for (int i = 0; i < 100 && refused == null; i++) {
                byte[] body = CriblBodies.ndjson(List.of("bp-" + i));
                io.restassured.response.Response r = post(body);
                if (r.statusCode() == 200) {
                    acceptedIds.add(CriblBodies.expectedIds(body, 1).get(0));
                } else {
                    r.then().statusCode(503).header("Retry-After", "5").body("error", equalTo("backpressure"));
                    refused = body;
                }
            }
        } finally {
            store.open();
        }
        assertThat(acceptedIds).as("a 4 KiB journal takes a few one-event requests").isNotEmpty();
        assertThat(refused).as("and then refuses").isNotNull();
        ArchiveFiles.awaitEnvelopes(archive, Duration.ofSeconds(30),
                all -> all.stream().map(e -> e.id()).collect(java.util.stream.Collectors.toSet()).containsAll(acceptedIds));

        // Acked once archived: the journal frees its segment and the retried request goes through.
        String secondId = CriblBodies.expectedIds(refused, 1).get(0);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        int status;
        do {
            status = post(refused).statusCode();
        } while (status == 503 && System.nanoTime() < deadline && sleep());
        assertThat(status).isEqualTo(200);
        ArchiveFiles.awaitEnvelopes(archive, Duration.ofSeconds(30), all -> all.stream().anyMatch(e -> e.id().equals(secondId)));
    }

    @Test
    @Order(2)
    void onceTheShutdownGateIsClosedIngestAnswers503WithRetryAfter() {
        assertThat(gate.close(Duration.ofSeconds(5))).isZero();
        // Answered by the gate in front of the REST layer (the bridge's own message differs).
        post(CriblBodies.ndjson(List.of("too-late"))).then().statusCode(503).header("Retry-After", "5")
                .body("error", equalTo("shutting_down"))
                .body("message", containsString("local pipeline is shutting down"));
        assertThat(gate.inFlight()).isZero();
    }

    private io.restassured.response.Response post(byte[] body) {
        String token;
        try {
            token = Files.readString(Path.of(dataDir, GeneratedTokenSource.FILE_NAME)).strip();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return given().header("Authorization", "Bearer " + token).contentType("application/x-ndjson").body(body)
                .when().post("/v1/events");
    }

    private static boolean sleep() {
        try {
            Thread.sleep(50);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
