package dev.fanout.archive.packaged;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.google.protobuf.ByteString;
import com.google.pubsub.v1.PubsubMessage;
import dev.fanout.events.BusMessage;
import dev.fanout.events.Envelope;
import dev.fanout.events.MessageEncoder;
import dev.fanout.events.MessageEncoderOptions;
import dev.fanout.store.ArchiveCodec;
import dev.fanout.store.S3ObjectStore;
import dev.fanout.store.S3Settings;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The packaged archive sink (the fast-jar in {@code verify}, the native binary with
 * {@code -Pnative}) in the prod profile: push delivery with OIDC verification on (against a local
 * JWKS), the S3 backend against s3proxy. The Pub/Sub fake in this JVM pushes to it with signed
 * tokens, as Pub/Sub does; what counts is what the S3 API then serves.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(value = ArchiveSinkIT.Fakes.class, restrictToAnnotatedClass = true)
class ArchiveSinkIT {

    static final String BUCKET = "fanout-archive-it";
    static final String AUDIENCE = "https://archive-sink.it.invalid/v1/push/archive";
    static final String PROJECT = "it-project";
    private static final MessageEncoder PACKED = new MessageEncoder(MessageEncoderOptions.defaults());

    /** s3proxy, the OIDC issuer and the Pub/Sub fake; the prod profile's settings pointing at them. */
    public static class Fakes implements QuarkusTestResourceLifecycleManager {
        static volatile S3ProxyProcess s3;
        static volatile OidcIssuer oidc;
        static volatile PubSubFake pubsub;

        @Override
        public Map<String, String> start() {
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
            m.putAll(archive);
            // OIDC stays on (the prod default): only where the keys come from and whom to expect.
            m.putAll(oidc.pushConfig(AUDIENCE));
            // The service batches for 30 s; a test does not wait that long for one object.
            m.put("fanout.consumer.sinks.\"archive\".max-age", "200ms");
            return m;
        }

        @Override
        public void stop() {
            if (pubsub != null) {
                pubsub.close();
            }
            if (oidc != null) {
                oidc.close();
            }
            if (s3 != null) {
                s3.close();
            }
        }
    }

    private static S3ObjectStore bucket() {
        return new S3ObjectStore(S3Settings.of(Fakes.s3.endpoint(), BUCKET, Fakes.s3.accessKeyId(), Fakes.s3.secretAccessKey()));
    }

    private static PubsubMessage pubsub(BusMessage m) {
        return PubsubMessage.newBuilder().setData(ByteString.copyFrom(m.data())).putAllAttributes(m.attributes()).build();
    }

    @Test
    void messagesPushedWithAValidTokenAreArchivedInS3EveryEventOnce() throws Exception {
        String sub = Fakes.pubsub.createPushSubscription(PROJECT, "archive-push", "claude-events",
                URI.create("http://127.0.0.1:" + RestAssured.port + "/v1/push/archive"), () -> Fakes.oidc.token(AUDIENCE), 30);
        List<PubsubMessage> messages = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            // 07:59 .. 08:01: each message spans two hour partitions.
            List<Envelope> events = TestEvents.batch(31_000_000 + i * 1_000, 40, Instant.parse("2026-11-23T07:59:00Z"), 120_000L);
            events.forEach(e -> expected.add(e.id()));
            PACKED.encode(events, null).forEach(m -> messages.add(pubsub(m)));
        }
        Fakes.pubsub.publish("projects/" + PROJECT + "/topics/claude-events", messages);

        // Acked = the sink answered 2xx = its events are in objects (ack after write).
        Fakes.pubsub.awaitAcked(sub, messages.size(), Duration.ofSeconds(60));

        List<String> archived = new ArrayList<>();
        try (S3ObjectStore store = bucket()) {
            List<String> keys = store.list("events/");
            assertThat(keys).allMatch(k -> k.startsWith("events/dt=2026-11-23/hr=07/") || k.startsWith("events/dt=2026-11-23/hr=08/"));
            for (String key : keys) {
                for (Envelope e : ArchiveCodec.decode(store.get(key).orElseThrow().body())) {
                    archived.add(e.id());
                }
            }
        }
        assertThat(new HashSet<>(archived)).isEqualTo(new HashSet<>(expected));
        assertThat(archived).as("each event once").hasSize(expected.size());
        assertThat(Fakes.oidc.fetches()).as("the app fetched the issuer's keys").isPositive();
    }

    @Test
    void aPushWithoutAValidTokenIsRefused() {
        String body = "{\"message\":{\"data\":\"e30=\",\"attributes\":{},\"messageId\":\"forged-1\","
                + "\"publishTime\":\"2026-11-23T10:00:00.123Z\"},\"subscription\":\"projects/p/subscriptions/archive-push\"}";
        given().contentType("application/json").body(body).when().post("/v1/push/archive").then().statusCode(401);
        given().contentType("application/json").header("Authorization", "Bearer " + Fakes.oidc.token("https://elsewhere.invalid/"))
                .body(body).when().post("/v1/push/archive").then().statusCode(401);
        given().contentType("application/json")
                .header("Authorization", "Bearer " + Fakes.oidc.token(AUDIENCE, "intruder@example.iam.gserviceaccount.com"))
                .body(body).when().post("/v1/push/archive").then().statusCode(403);
    }

    @Test
    void readyWithTheArchiveAndTheStatusDocumentNamesTheService() {
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP")).body(containsString("archive"));
        given().when().get("/v1/status").then().statusCode(200).body("service", equalTo("archive-sink"));
    }
}
