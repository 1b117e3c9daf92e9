package dev.fanout.alerts.service.packaged;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.google.protobuf.ByteString;
import com.google.pubsub.v1.PubsubMessage;
import dev.fanout.events.BusMessage;
import dev.fanout.alerts.service.AlertSinkAppTests;
import dev.fanout.events.MessageEncoder;
import dev.fanout.events.MessageEncoderOptions;
import dev.fanout.store.S3ObjectStore;
import dev.fanout.store.S3Settings;
import dev.fanout.testsupport.oidc.OidcIssuer;
import dev.fanout.testsupport.pubsub.PubSubFake;
import dev.fanout.testsupport.s3.S3ProxyProcess;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.RestAssured;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The packaged alert sink (the fast-jar in {@code verify}, the native binary with {@code -Pnative})
 * in the prod profile: push and tick with OIDC on (local JWKS), alert state in the object store on
 * s3proxy (conditional PUTs), Resend played by WireMock. The Pub/Sub fake pushes with signed
 * tokens; what counts is the e-mail request WireMock received.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(value = AlertSinkIT.Fakes.class, restrictToAnnotatedClass = true)
class AlertSinkIT {

    static final String PROJECT = "alerts-it";
    static final String BUCKET = "fanout-alerts-it";
    static final String AUDIENCE = "https://alert-sink.it.invalid/v1/push/alerts";
    static final String API_KEY = "re_it_" + Long.toHexString(System.nanoTime());
    private static final MessageEncoder PACKED = new MessageEncoder(MessageEncoderOptions.defaults());
    private static final ObjectMapper JSON = new ObjectMapper();

    public static class Fakes implements QuarkusTestResourceLifecycleManager {
        static volatile WireMockServer resend;
        static volatile S3ProxyProcess s3;
        static volatile OidcIssuer oidc;
        static volatile PubSubFake pubsub;

        @Override
        public Map<String, String> start() {
            resend = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
            resend.start();
            resend.stubFor(post(urlPathEqualTo("/emails")).willReturn(aResponse().withStatus(200)
                    .withHeader("Content-Type", "application/json").withBody("{\"id\":\"4ef9a417-02e9-4d39-ad75-9611e0fcc33c\"}")));
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
            m.put("fanout.alerts.resend.base-url", resend.baseUrl());
            m.put("fanout.alerts.resend.api-key", API_KEY);
            m.put("fanout.alerts.from", "Fanout IT <alerts@example.org>");
            m.put("fanout.alerts.recipients", "ops@example.org");
            m.putAll(archive);
            // OIDC stays on (the prod default) for push and tick: only the keys' origin and the principal.
            m.putAll(oidc.pushConfig(AUDIENCE));
            // Timers of the service (10 s batches, 30 s group-wait) shortened for one test.
            m.put("fanout.consumer.sinks.\"alerts\".max-age", "200ms");
            m.put("fanout.alerts.group-wait", "0s");
            return m;
        }

        @Override
        public void stop() {
            for (AutoCloseable c : new AutoCloseable[] {pubsub, oidc, s3}) {
                try {
                    if (c != null) {
                        c.close();
                    }
                } catch (Exception e) {
                    // best effort
                }
            }
            if (resend != null) {
                resend.stop();
            }
        }
    }

    private static List<LoggedRequest> emailsFor(String host) {
        return Fakes.resend.findAll(postRequestedFor(urlPathEqualTo("/emails"))).stream()
                .filter(r -> r.getBodyAsString().contains(host)).toList();
    }

    @Test
    void pushedErrorsBecomeOneGroupedEmailThroughResend() throws Exception {
        String sub = Fakes.pubsub.createPushSubscription(PROJECT, "alerts-push", "claude-events",
                URI.create("http://127.0.0.1:" + RestAssured.port + "/v1/push/alerts"), () -> Fakes.oidc.token(AUDIENCE), 30);
        String host = "it-host-" + Long.toHexString(System.nanoTime());
        List<PubsubMessage> messages = new ArrayList<>();
        // 25 errors of one group in one message, so one batch: group-wait is 0 s here, and errors
        // arriving in later batches would be counted in a later e-mail of the group.
        for (BusMessage m : PACKED.encode(AlertSinkAppTests.errors(host, "checkout failed for order", 25), null)) {
            messages.add(PubsubMessage.newBuilder().setData(ByteString.copyFrom(m.data())).putAllAttributes(m.attributes()).build());
        }
        assertThat(messages).hasSize(1);
        Fakes.pubsub.publish("projects/" + PROJECT + "/topics/claude-events", messages);
        Fakes.pubsub.awaitAcked(sub, messages.size(), Duration.ofSeconds(60));

        // Acked = counted into the state object. Cloud Scheduler's tick (with a token) sends what is due.
        given().when().post("/v1/alerts/tick").then().statusCode(401);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (emailsFor(host).isEmpty() && System.nanoTime() < deadline) {
            given().header("Authorization", "Bearer " + Fakes.oidc.token(AUDIENCE)).when().post("/v1/alerts/tick")
                    .then().statusCode(200);
            // Nothing to latch on but the fake's request log.
            Thread.sleep(100);
        }
        List<LoggedRequest> sent = emailsFor(host);
        assertThat(sent).as("one e-mail for the group").hasSize(1);
        LoggedRequest r = sent.get(0);
        assertThat(r.getHeader("Authorization")).isEqualTo("Bearer " + API_KEY);
        assertThat(r.getHeader("Idempotency-Key")).startsWith("alert-default-");
        JsonNode body = JSON.readTree(r.getBodyAsString());
        assertThat(body.path("from").asText()).isEqualTo("Fanout IT <alerts@example.org>");
        assertThat(body.path("to").toString()).contains("ops@example.org");
        assertThat(body.path("subject").asText()).contains("25 × checkout failed for order <num> on " + host);

        try (S3ObjectStore store = new S3ObjectStore(S3Settings.of(Fakes.s3.endpoint(), BUCKET,
                Fakes.s3.accessKeyId(), Fakes.s3.secretAccessKey()))) {
            assertThat(store.get("alerts/state.json.gz")).as("the state object in the bucket").isPresent();
        }
    }

    @Test
    void aPushWithoutATokenIsRefused() {
        String body = "{\"message\":{\"data\":\"e30=\",\"attributes\":{},\"messageId\":\"forged-1\","
                + "\"publishTime\":\"2026-11-23T10:00:00.123Z\"},\"subscription\":\"projects/p/subscriptions/alerts-push\"}";
        given().contentType("application/json").body(body).when().post("/v1/push/alerts").then().statusCode(401);
    }

    @Test
    void readyWithTheStateStoreAndTheStatusDocumentNamesTheService() {
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP")).body(containsString("alerts"));
        given().when().get("/v1/status").then().statusCode(200).body("service", equalTo("alert-sink"));
    }
}
