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
 * A full in-process bus turns into the bridge's 503 + Retry-After, and ingest recovers once the
 * archive catches up; the shutdown gate answers 503 the same way.
 */
@QuarkusTest
@TestProfile(BackpressureTests.TinyBus.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BackpressureTests {

    /** A bus that holds one message at a time, in front of a store the test can hold shut. */
    public static class TinyBus extends LocalTestProfile {
        @Override
        protected Map<String, String> extraOverrides() {
            return Map.of("fanout.consumer.local.max-outstanding-bytes", "1");
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
        byte[] first = CriblBodies.ndjson(List.of("bp-first"));
        byte[] second = CriblBodies.ndjson(List.of("bp-second"));
        store.block();
        try {
            // An empty bus takes one message whatever its size; it stays unacked while the write waits.
            post(first).then().statusCode(200).body("accepted", equalTo(1));
            post(second).then().statusCode(503).header("Retry-After", "5").body("error", equalTo("backpressure"));
        } finally {
            store.open();
        }
        String firstId = CriblBodies.expectedIds(first, 1).get(0);
        ArchiveFiles.awaitEnvelopes(archive, Duration.ofSeconds(30), all -> all.stream().anyMatch(e -> e.id().equals(firstId)));

        // Acked once archived: the bus is empty again and the retried request goes through.
        String secondId = CriblBodies.expectedIds(second, 1).get(0);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        int status;
        do {
            status = post(second).statusCode();
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
