package dev.fanout.ingest.packaged;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import com.google.pubsub.v1.PubsubMessage;
import dev.fanout.events.Envelope;
import dev.fanout.events.MessageDecoder;
import dev.fanout.testsupport.pubsub.PubSubFake;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * The packaged bridge (the fast-jar in {@code verify}, the native binary with {@code -Pnative}) as
 * its own process in the prod profile, against the loopback Pub/Sub fake in this JVM. Only HTTP and
 * the fake are observable: no bean of the app is reachable from here.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(value = IngestBridgeIT.Fakes.class, restrictToAnnotatedClass = true)
class IngestBridgeIT {

    static final String PROJECT = "it-project";
    static final String TOPIC = "projects/" + PROJECT + "/topics/claude-events";
    static final String TOKEN = "it-token-" + Long.toHexString(System.nanoTime());

    /** The Pub/Sub fake, and the prod profile's required settings pointing the bridge at it. */
    public static class Fakes implements QuarkusTestResourceLifecycleManager {
        static volatile PubSubFake pubsub;

        @Override
        public Map<String, String> start() {
            pubsub = PubSubFake.start();
            pubsub.createTopic(PROJECT, "claude-events");
            return Map.of(
                    "fanout.pubsub.project-id", PROJECT,
                    "fanout.pubsub.emulator-host", pubsub.hostPort(),
                    "fanout.ingest.tokens", TOKEN);
        }

        @Override
        public void stop() {
            if (pubsub != null) {
                pubsub.close();
            }
        }
    }

    private static List<Envelope> published() {
        List<Envelope> out = new ArrayList<>();
        for (PubsubMessage m : Fakes.pubsub.published(TOPIC)) {
            out.addAll(MessageDecoder.decode(m.getData().toByteArray(), m.getAttributesMap()));
        }
        return out;
    }

    private static byte[] gzip(String s) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
            gz.write(s.getBytes(StandardCharsets.UTF_8));
        }
        return bos.toByteArray();
    }

    /** Cribl's default: NDJSON, gzip, Bearer token. The 200 means every event is on Pub/Sub. */
    @Test
    void aGzippedCriblBatchIsAnsweredOnlyWithEveryEventOnPubSub() throws Exception {
        int n = 600;
        String run = Long.toHexString(System.nanoTime());
        StringBuilder body = new StringBuilder();
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < n; i++) {
            String raw = "it " + run + " seq=" + i;
            expected.add(raw);
            body.append("{\"_time\":1732371234.567,\"_raw\":\"").append(raw).append("\",\"host\":\"web-1\",")
                    .append("\"sourcetype\":\"app\",\"level\":\"").append(i % 10 == 0 ? "error" : "info").append("\"}\n");
        }

        given().header("Authorization", "Bearer " + TOKEN).contentType("application/x-ndjson")
                .header("Content-Encoding", "gzip").body(gzip(body.toString()))
                .when().post("/v1/events")
                .then().statusCode(200).body("accepted", equalTo(n)).body("malformed", equalTo(0));

        // No wait: the answer came after Pub/Sub acked every message.
        List<String> mine = published().stream().map(Envelope::raw).filter(r -> r.startsWith("it " + run + " ")).toList();
        assertThat(new HashSet<>(mine)).isEqualTo(expected);
        assertThat(mine).as("each event once").hasSize(n);
    }

    @Test
    void withoutATokenTheAnswerIs401WithAJsonBodyAndNothingIsPublished() {
        int before = Fakes.pubsub.published(TOPIC).size();
        given().contentType("application/x-ndjson").body("{\"_raw\":\"unauthenticated\"}\n".getBytes(StandardCharsets.UTF_8))
                .when().post("/v1/events")
                .then().statusCode(401)
                .contentType(startsWith("application/json"))
                .header("WWW-Authenticate", containsString("Bearer"))
                .body("error", equalTo("missing_token"));
        given().header("Authorization", "Bearer not-" + TOKEN).contentType("application/x-ndjson")
                .body("{\"_raw\":\"wrong token\"}\n".getBytes(StandardCharsets.UTF_8))
                .when().post("/v1/events")
                .then().statusCode(401).body("error", equalTo("invalid_token"));
        assertThat(Fakes.pubsub.published(TOPIC)).hasSize(before);
    }

    @Test
    void readyAndTheStatusDocumentNamesTheService() {
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().when().get("/v1/status").then().statusCode(200)
                .body("service", equalTo("ingest-bridge"))
                .body("ingest.publish.healthy", equalTo(true));
    }
}
