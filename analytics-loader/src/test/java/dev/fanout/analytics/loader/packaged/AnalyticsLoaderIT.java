package dev.fanout.analytics.loader.packaged;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.google.protobuf.ByteString;
import com.google.pubsub.v1.PubsubMessage;
import dev.fanout.analytics.bigquery.StorageSchemas;
import dev.fanout.analytics.loader.BigQueryResource;
import dev.fanout.analytics.schema.AnalyticsSchema;
import dev.fanout.analytics.schema.TableDef;
import dev.fanout.events.Envelope;
import dev.fanout.events.MessageEncoder;
import dev.fanout.events.MessageEncoderOptions;
import dev.fanout.testsupport.bigquery.BigQueryWriteFake;
import dev.fanout.testsupport.events.TestEvents;
import dev.fanout.testsupport.oidc.OidcIssuer;
import dev.fanout.testsupport.pubsub.PubSubFake;
import dev.fanout.testsupport.s3.S3ProxyProcess;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.RestAssured;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The packaged analytics loader (the fast-jar in {@code verify}, the native binary with
 * {@code -Pnative}) in the prod profile: push with OIDC on (local JWKS), the BigQuery backend on
 * the Storage Write API fake (gRPC) and WireMock for REST {@code tables.get}, dead letters on
 * s3proxy. The Pub/Sub fake pushes with signed tokens; what counts is the rows the fake received.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(value = AnalyticsLoaderIT.Fakes.class, restrictToAnnotatedClass = true)
class AnalyticsLoaderIT {

    static final String PROJECT = "loader-it";
    static final String DATASET = "analytics";
    static final String BUCKET = "fanout-dead-letters-it";
    static final String AUDIENCE = "https://analytics-loader.it.invalid/v1/push/analytics";
    private static final MessageEncoder PACKED = new MessageEncoder(MessageEncoderOptions.defaults());

    public static class Fakes implements QuarkusTestResourceLifecycleManager {
        static volatile BigQueryWriteFake bigquery;
        static volatile WireMockServer rest;
        static volatile S3ProxyProcess s3;
        static volatile OidcIssuer oidc;
        static volatile PubSubFake pubsub;

        @Override
        public Map<String, String> start() {
            bigquery = BigQueryWriteFake.start();
            rest = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
            rest.start();
            for (TableDef t : AnalyticsSchema.TABLES) {
                bigquery.createTable(PROJECT, DATASET, t.name(), StorageSchemas.of(t));
                BigQueryResource.stubTable(rest, PROJECT, DATASET, t, null);
            }
            Map<String, String> archive;
            try {
                s3 = S3ProxyProcess.start();
                archive = s3.archiveBucket(BUCKET);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            oidc = OidcIssuer.start();
            pubsub = PubSubFake.start().pushBackoff(Duration.ofMillis(50), Duration.ofSeconds(1));
            Map<String, String> m = new HashMap<>();
            m.put("fanout.analytics.bigquery.project-id", PROJECT);
            m.put("fanout.analytics.bigquery.dataset", DATASET);
            m.put("fanout.analytics.bigquery.write-endpoint", bigquery.hostPort());
            m.put("fanout.analytics.bigquery.rest-endpoint", "http://127.0.0.1:" + rest.port());
            m.put("fanout.analytics.bigquery.location", bigquery.location());
            m.putAll(archive);
            // OIDC stays on (the prod default): only where the keys come from and whom to expect.
            m.putAll(oidc.pushConfig(AUDIENCE));
            m.put("fanout.consumer.sinks.\"analytics\".max-age", "200ms");
            return m;
        }

        @Override
        public void stop() {
            for (AutoCloseable c : new AutoCloseable[] {pubsub, oidc, s3, bigquery}) {
                try {
                    if (c != null) {
                        c.close();
                    }
                } catch (Exception e) {
                    // best effort
                }
            }
            if (rest != null) {
                rest.stop();
            }
        }
    }

    private static List<Object> ids(String table) {
        return Fakes.bigquery.rows(table).stream().map(r -> r.get("id")).toList();
    }

    @Test
    void messagesPushedWithAValidTokenAreInBothTablesEveryEventOnce() {
        String sub = Fakes.pubsub.createPushSubscription(PROJECT, "analytics-push", "claude-events",
                URI.create("http://127.0.0.1:" + RestAssured.port + "/v1/push/analytics"), () -> Fakes.oidc.token(AUDIENCE), 30);
        List<PubsubMessage> messages = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            List<Envelope> events = TestEvents.batch(41_000_000 + i * 1_000, 50, Instant.now().minus(10, ChronoUnit.MINUTES), 60_000L);
            events.forEach(e -> expected.add(e.id()));
            PACKED.encode(events, null).forEach(m -> messages.add(
                    PubsubMessage.newBuilder().setData(ByteString.copyFrom(m.data())).putAllAttributes(m.attributes()).build()));
        }
        Fakes.pubsub.publish("projects/" + PROJECT + "/topics/claude-events", messages);

        // Acked = the loader answered 2xx = the rows are appended to both tables (ack after write).
        Fakes.pubsub.awaitAcked(sub, messages.size(), Duration.ofSeconds(60));

        for (String table : List.of(AnalyticsSchema.EVENTS_RAW, AnalyticsSchema.EVENTS)) {
            List<Object> rows = ids(table);
            assertThat(new HashSet<>(rows)).as(table).isEqualTo(new HashSet<Object>(expected));
            assertThat(rows).as(table + ": each event once").hasSize(expected.size());
        }
        assertThat(Fakes.oidc.fetches()).as("the app fetched the issuer's keys").isPositive();
    }

    @Test
    void aPushWithoutATokenIsRefusedAndWritesNothing() {
        int before = ids(AnalyticsSchema.EVENTS_RAW).size();
        String body = "{\"message\":{\"data\":\"e30=\",\"attributes\":{},\"messageId\":\"forged-1\","
                + "\"publishTime\":\"2026-11-23T10:00:00.123Z\"},\"subscription\":\"projects/p/subscriptions/analytics-push\"}";
        given().contentType("application/json").body(body).when().post("/v1/push/analytics").then().statusCode(401);
        assertThat(ids(AnalyticsSchema.EVENTS_RAW)).hasSize(before);
    }

    @Test
    void readyWithTheLiveSchemaAndTheStatusDocumentNamesTheService() {
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP")).body(containsString("analytics"));
        given().when().get("/v1/status").then().statusCode(200).body("service", equalTo("analytics-loader"));
    }
}
