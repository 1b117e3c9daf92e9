package dev.fanout.analytics.loader;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.fanout.analytics.AnalyticsSink;
import dev.fanout.analytics.bigquery.BigQueryAnalyticsSink;
import dev.fanout.analytics.schema.AnalyticsSchema;
import dev.fanout.events.Attributes;
import dev.fanout.events.BusMessage;
import dev.fanout.events.Envelope;
import dev.fanout.events.MessageEncoder;
import dev.fanout.events.MessageEncoderOptions;
import dev.fanout.events.port.EventSink;
import dev.fanout.testsupport.events.TestEvents;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged wiring: consumer runtime (push mode, OIDC off in the test profile) → the analytics
 * sink → the Storage Write API fake. A push is answered 2xx only once its events are in both tables.
 */
@QuarkusTest
@QuarkusTestResource(value = BigQueryResource.class, restrictToAnnotatedClass = true)
class AnalyticsLoaderAppTests {

    private static final MessageEncoder PACKED = new MessageEncoder(MessageEncoderOptions.defaults());

    @Inject
    Instance<EventSink> sinks;

    @BeforeEach
    void reset() {
        BigQueryResource.fake.reset();
        BigQueryResource.fake.faults().clear();
    }

    static String pushBody(String messageId, BusMessage m, Map<String, String> extraAttributes) {
        Map<String, String> attributes = new java.util.HashMap<>(m.attributes());
        attributes.putAll(extraAttributes);
        String attrs = attributes.entrySet().stream().map(e -> "\"" + e.getKey() + "\":\"" + e.getValue() + "\"")
                .collect(Collectors.joining(",", "{", "}"));
        return "{\"message\":{\"data\":\"" + Base64.getEncoder().encodeToString(m.data()) + "\",\"attributes\":" + attrs
                + ",\"messageId\":\"" + messageId + "\",\"publishTime\":\"2026-11-23T10:00:00.123Z\"},"
                + "\"subscription\":\"projects/p/subscriptions/analytics-push\"}";
    }

    private static List<Object> ids(String table) {
        return BigQueryResource.fake.rows(table).stream().map(r -> r.get("id")).toList();
    }

    @Test
    void theAppsOnlyEventSinkIsTheBigQueryAnalyticsSink() {
        assertThat(sinks.stream().toList()).singleElement()
                .satisfies(s -> assertThat(io.quarkus.arc.ClientProxy.unwrap(s)).isInstanceOf(BigQueryAnalyticsSink.class))
                .extracting(EventSink::name).isEqualTo(AnalyticsSink.NAME);
    }

    @Test
    void aPushIsAckedOnlyWithItsEventsInBothTables() {
        List<Envelope> events = TestEvents.batch(5_000_000, 40, Instant.now().minus(10, ChronoUnit.MINUTES), 60_000L);
        List<BusMessage> messages = PACKED.encode(events, null);
        assertThat(messages).hasSize(1);

        given().contentType("application/json").body(pushBody("push-1", messages.get(0), Map.of(Attributes.REPLAY, "run-7")))
                .when().post("/v1/push/analytics").then().statusCode(204);

        List<String> expected = events.stream().map(Envelope::id).toList();
        assertThat(ids(AnalyticsSchema.EVENTS_RAW)).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(ids(AnalyticsSchema.EVENTS)).containsExactlyInAnyOrderElementsOf(expected);
        Map<String, Object> row = BigQueryResource.fake.rows(AnalyticsSchema.EVENTS_RAW).get(0);
        assertThat(row).containsEntry("message_id", "push-1").containsEntry("replay", "run-7")
                .containsEntry("published_at", Instant.parse("2026-11-23T10:00:00.123Z"));
    }

    @Test
    void whileTheWriteApiIsUnavailableThePushIsNotAcked() {
        List<Envelope> events = TestEvents.batch(6_000_000, 5, Instant.now().minus(1, ChronoUnit.MINUTES), 1_000L);
        BusMessage m = PACKED.encode(events, null).get(0);
        BigQueryResource.fake.faults().failFor(io.grpc.Status.Code.PERMISSION_DENIED, java.time.Duration.ofSeconds(60));

        given().contentType("application/json").body(pushBody("push-unavail", m, Map.of()))
                .when().post("/v1/push/analytics").then().statusCode(503);

        assertThat(BigQueryResource.fake.rows(AnalyticsSchema.EVENTS_RAW)).isEmpty();
        BigQueryResource.fake.faults().clear();
        // Pub/Sub redelivers: now it goes through.
        given().contentType("application/json").body(pushBody("push-unavail", m, Map.of()))
                .when().post("/v1/push/analytics").then().statusCode(204);
        assertThat(ids(AnalyticsSchema.EVENTS)).hasSize(5);
    }

    /** A push subscription of the Pub/Sub fake pointed at this app (OIDC is off in the test profile). */
    private static dev.fanout.testsupport.pubsub.PubSubFake pushFake(String subscription) {
        dev.fanout.testsupport.pubsub.PubSubFake ps = dev.fanout.testsupport.pubsub.PubSubFake.start()
                .pushBackoff(java.time.Duration.ofMillis(10), java.time.Duration.ofMillis(200));
        ps.createPushSubscription(BigQueryResource.PROJECT, subscription, "claude-events",
                java.net.URI.create("http://127.0.0.1:" + io.restassured.RestAssured.port + "/v1/push/analytics"), null, 30);
        return ps;
    }

    private static com.google.pubsub.v1.PubsubMessage pubsub(BusMessage m) {
        return com.google.pubsub.v1.PubsubMessage.newBuilder().setData(com.google.protobuf.ByteString.copyFrom(m.data()))
                .putAllAttributes(m.attributes()).build();
    }

    @Test
    void messagesPushedByPubSubAreWrittenAndAckedEveryIdOnce() throws Exception {
        try (dev.fanout.testsupport.pubsub.PubSubFake ps = pushFake("analytics-push")) {
            List<String> expected = new java.util.ArrayList<>();
            List<com.google.pubsub.v1.PubsubMessage> messages = new java.util.ArrayList<>();
            for (int i = 0; i < 6; i++) {
                List<Envelope> events = TestEvents.batch(8_000_000 + i * 1000, 100, Instant.now().minus(5, ChronoUnit.MINUTES), 60_000L);
                events.forEach(e -> expected.add(e.id()));
                PACKED.encode(events, null).forEach(m -> messages.add(pubsub(m)));
            }
            ps.publish("projects/" + BigQueryResource.PROJECT + "/topics/claude-events", messages);

            assertThat(ps.awaitAcked("analytics-push", messages.size(), java.time.Duration.ofSeconds(30))).isEqualTo(messages.size());
            assertThat(ids(AnalyticsSchema.EVENTS_RAW)).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(ids(AnalyticsSchema.EVENTS)).containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    /**
     * One row the server refuses: that event goes to the runtime's dead-letter store, the others
     * are written, and the message is acked (the interim all-or-nothing runtime nacked the whole
     * batch, so Pub/Sub redelivered it forever).
     */
    @Test
    void aRowTheServerRefusesIsDeadLetteredAndTheRestIsWrittenAndAcked() throws Exception {
        List<Envelope> events = TestEvents.batch(9_000_000, 5, Instant.now().minus(5, ChronoUnit.MINUTES), 10_000L);
        String bad = events.get(2).id();
        BigQueryResource.fake.faults().rejectRows(r -> bad.equals(r.get("id")) && r.containsKey("payload"), "fake: refused row");
        try (dev.fanout.testsupport.pubsub.PubSubFake ps = pushFake("analytics-push-bad")) {
            ps.publish("projects/" + BigQueryResource.PROJECT + "/topics/claude-events", List.of(pubsub(PACKED.encode(events, null).get(0))));

            assertThat(ps.awaitAcked("analytics-push-bad", 1, java.time.Duration.ofSeconds(30))).isEqualTo(1);
            assertThat(ids(AnalyticsSchema.EVENTS_RAW)).hasSize(4).doesNotContain(bad);
            assertThat(ids(AnalyticsSchema.EVENTS)).hasSize(5);
            assertThat(deadLetteredIds()).contains(bad);
        }
    }

    @Inject
    dev.fanout.store.ObjectStore store;

    /** Event ids in the runtime's dead-letter store for the analytics sink. */
    private List<String> deadLetteredIds() throws Exception {
        List<String> out = new java.util.ArrayList<>();
        for (String k : store.list("dead-letter/sink=analytics/")) {
            try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(store.get(k).orElseThrow().body()))) {
                for (String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
                    out.add(dev.fanout.events.EnvelopeCodec.mapper().readTree(line).path("event").path("id").asText());
                }
            }
        }
        return out;
    }

    @Test
    void readinessChecksTheLiveSchemaAndReportsTheDdl() {
        given().when().get("/q/health/ready").then().statusCode(200).body(containsString("analytics"));
        BigQueryResource.stubTable(AnalyticsSchema.TYPED, "severity");
        try {
            given().when().get("/q/health/ready").then().statusCode(503)
                    .body("checks.find { it.name == 'fanout-sinks' }.data.analytics", containsString("events.severity is missing"))
                    .body("checks.find { it.name == 'fanout-sinks' }.data.analytics", containsString("DROP TABLE `loader-test.analytics.events`"));
        } finally {
            BigQueryResource.stubTable(AnalyticsSchema.TYPED, null);
        }
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }
}
