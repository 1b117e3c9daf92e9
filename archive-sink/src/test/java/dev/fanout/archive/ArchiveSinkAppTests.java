package dev.fanout.archive;

import dev.fanout.store.ArchiveCodec;
import dev.fanout.store.ObjectStore;

import dev.fanout.testsupport.events.TestEvents;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import dev.fanout.events.Attributes;
import dev.fanout.events.BusMessage;
import dev.fanout.events.Envelope;
import dev.fanout.events.MessageEncoder;
import dev.fanout.events.MessageEncoderOptions;
import dev.fanout.events.port.EventSink;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The packaged wiring: consumer runtime (push mode, OIDC off in the test profile) → ArchiveSink →
 * filesystem store. A push is answered 2xx only once its events are in archive objects.
 */
@QuarkusTest
class ArchiveSinkAppTests {

    @Inject
    Instance<EventSink> sinks;
    @Inject
    ObjectStore store;

    /** Objects of earlier runs would turn every write into ALREADY_EXISTS. */
    @BeforeEach
    void emptyArchive() throws Exception {
        Path root = Path.of("target/quarkus-test-archive");
        if (Files.exists(root)) {
            try (Stream<Path> paths = Files.walk(root)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private static final MessageEncoder PACKED = new MessageEncoder(MessageEncoderOptions.defaults());

    private static String pushBody(String messageId, byte[] data, Map<String, String> attributes) {
        String attrs = attributes.entrySet().stream()
                .map(e -> "\"" + e.getKey() + "\":\"" + e.getValue() + "\"")
                .collect(Collectors.joining(",", "{", "}"));
        return "{\"message\":{\"data\":\"" + Base64.getEncoder().encodeToString(data) + "\",\"attributes\":" + attrs
                + ",\"messageId\":\"" + messageId + "\",\"publishTime\":\"2026-11-23T10:00:00.123Z\"},"
                + "\"subscription\":\"projects/p/subscriptions/archive-push\"}";
    }

    private List<String> archivedIds() throws Exception {
        List<String> ids = new ArrayList<>();
        for (String key : store.list("events/")) {
            for (Envelope e : ArchiveCodec.decode(store.get(key).orElseThrow().body())) {
                ids.add(e.id());
            }
        }
        return ids;
    }

    @Test
    void theAppsOnlyEventSinkIsTheArchiveOnTheConfiguredStore() {
        assertThat(sinks.stream().toList()).singleElement().isInstanceOf(ArchiveSink.class)
                .extracting(EventSink::name).isEqualTo("archive");
        // The bean is a client proxy; describe() is the store's own answer.
        assertThat(store.describe()).endsWith("target/quarkus-test-archive").doesNotStartWith("s3://");
    }

    @Test
    void aPushIsAckedOnlyWithItsEventsArchivedAndARedeliveryAddsNothing() throws Exception {
        List<Envelope> events = TestEvents.batch(7_000_000, 40, Instant.parse("2026-11-23T07:59:00Z"), 120_000L);
        List<BusMessage> messages = PACKED.encode(events, null);
        assertThat(messages).hasSize(1);
        String body = pushBody("app-1", messages.get(0).data(), messages.get(0).attributes());
        assertThat(store.list("events/")).isEmpty();

        given().contentType("application/json").body(body).when().post("/v1/push/archive").then().statusCode(204);

        List<String> ids = archivedIds();
        assertThat(ids).containsAll(events.stream().map(Envelope::id).toList());
        List<String> after = store.list("events/");
        // 07:59 .. 08:01 → two hour partitions.
        assertThat(after).hasSize(2);
        assertThat(ids).hasSize(events.size());

        given().contentType("application/json").body(body).when().post("/v1/push/archive").then().statusCode(204);
        assertThat(store.list("events/")).isEqualTo(after);
    }

    /** Kept by the runtime's dead-letter store, in the archive's store beside the events, and acked. */
    @Test
    void anUndecodableMessageIsDeadLetteredAsReceivedAndAcked() throws Exception {
        byte[] garbage = ("{truncated " + System.nanoTime()).getBytes(StandardCharsets.UTF_8);
        Map<String, String> attrs = Map.of(Attributes.ENCODING, Attributes.ENCODING_JSON, Attributes.SCHEMA, "1");

        given().contentType("application/json").body(pushBody("bad-1", garbage, attrs))
                .when().post("/v1/push/archive").then().statusCode(204);

        List<com.fasterxml.jackson.databind.JsonNode> mine = new java.util.ArrayList<>();
        for (String k : store.list("dead-letter/sink=archive/dt=2026-11-23/hr=10/")) {
            try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(store.get(k).orElseThrow().body()))) {
                for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                    var n = dev.fanout.events.EnvelopeCodec.mapper().readTree(line);
                    if (java.util.Arrays.equals(java.util.Base64.getDecoder().decode(n.path("data_base64").asText()), garbage)) {
                        mine.add(n);
                    }
                }
            }
        }
        assertThat(mine).singleElement().satisfies(n -> {
            assertThat(n.path("message_id").asText()).isEqualTo("bad-1");
            assertThat(n.path("kind").asText()).isEqualTo("message");
            assertThat(n.path("attributes").path(Attributes.ENCODING).asText()).isEqualTo(Attributes.ENCODING_JSON);
        });
        assertThat(store.list("quarantine/")).isEmpty();
    }

    @Test
    void readinessChecksTheArchive() {
        given().when().get("/q/health/ready").then().statusCode(200).body(containsString("archive"));
    }
}
