package dev.fanout.alerts.service;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.fanout.alerts.AlertSink;
import dev.fanout.alerts.state.AlertState;
import dev.fanout.alerts.state.StateCodec;
import dev.fanout.events.Attributes;
import dev.fanout.events.BusMessage;
import dev.fanout.events.Envelope;
import dev.fanout.events.MessageEncoder;
import dev.fanout.events.MessageEncoderOptions;
import dev.fanout.events.Severity;
import dev.fanout.events.port.EventSink;
import dev.fanout.store.ObjectStore;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The packaged wiring: consumer runtime (push, OIDC off in the test profile) → AlertSink → state
 * object in the (filesystem) object store; the tick endpoint → WireMock as Resend.
 */
@QuarkusTest
@QuarkusTestResource(ResendFake.class)
public class AlertSinkAppTests {

    private static final MessageEncoder PACKED = new MessageEncoder(MessageEncoderOptions.defaults());
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    Instance<EventSink> sinks;
    @Inject
    ObjectStore store;

    private static String pushBody(String messageId, BusMessage m, Map<String, String> extra) {
        Map<String, String> attributes = new java.util.LinkedHashMap<>(m.attributes());
        attributes.putAll(extra);
        String attrs = attributes.entrySet().stream()
                .map(e -> "\"" + e.getKey() + "\":\"" + e.getValue() + "\"")
                .collect(Collectors.joining(",", "{", "}"));
        return "{\"message\":{\"data\":\"" + Base64.getEncoder().encodeToString(m.data()) + "\",\"attributes\":" + attrs
                + ",\"messageId\":\"" + messageId + "\",\"publishTime\":\"2026-11-23T10:00:00.123Z\"},"
                + "\"subscription\":\"projects/p/subscriptions/alerts-push\"}";
    }

    /** {@code n} error events of one host, the raw text numbered (also the packaged-app IT's). */
    public static List<Envelope> errors(String host, String raw, int n) {
        List<Envelope> out = new ArrayList<>();
        Instant t = Instant.now();
        for (int i = 0; i < n; i++) {
            out.add(new Envelope(String.format("%032x", System.nanoTime() + i), 1, t, Envelope.TimeSource.EVENT, t, host,
                    "/var/log/app.log", "app", "main", Severity.ERROR, raw + " " + i, JsonNodeFactory.instance.objectNode(), null));
        }
        return out;
    }

    private AlertState state() throws Exception {
        return StateCodec.decode(store.get("alerts/state.json.gz").orElseThrow().body());
    }

    @Test
    void theAppsOnlyEventSinkIsTheAlertSink() {
        assertThat(sinks.stream().toList()).singleElement().isInstanceOf(AlertSink.class)
                .extracting(EventSink::name).isEqualTo("alerts");
    }

    @Test
    void aPushIsCountedIntoTheStateObjectAndATickSendsTheEmailThroughResend() throws Exception {
        // The store directory outlives a test run: names of this run only.
        String host = "app-host-" + System.nanoTime();
        List<BusMessage> messages = PACKED.encode(errors(host, "checkout failed for order", 25), null);
        assertThat(messages).hasSize(1);
        given().contentType("application/json").body(pushBody("app-" + host, messages.get(0), Map.of()))
                .when().post("/v1/push/alerts").then().statusCode(204);
        assertThat(state().groups.values()).anySatisfy(g -> {
            assertThat(g.labels).containsEntry("host", host);
            assertThat(g.total).isEqualTo(25);
        });

        // group-wait is 0 s in the test profile: the tick plans and sends at once.
        given().when().post("/v1/alerts/tick").then().statusCode(200).body("sent", org.hamcrest.Matchers.greaterThanOrEqualTo(0));
        List<LoggedRequest> sent = new ArrayList<>();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            sent = ResendFake.server.findAll(postRequestedFor(urlPathEqualTo("/emails")));
            if (sent.stream().anyMatch(r -> r.getBodyAsString().contains(host))) {
                break;
            }
            given().when().post("/v1/alerts/tick").then().statusCode(200);
            Thread.sleep(50);
        }
        LoggedRequest r = sent.stream().filter(x -> x.getBodyAsString().contains(host)).findFirst().orElseThrow();
        assertThat(r.getHeader("Authorization")).isEqualTo("Bearer re_app_test_key");
        assertThat(r.getHeader("Idempotency-Key")).startsWith("alert-default-");
        JsonNode body = JSON.readTree(r.getBodyAsString());
        assertThat(body.get("from").asText()).isEqualTo("Fanout test <alerts@example.org>");
        assertThat(body.get("subject").asText()).contains("25 × checkout failed for order <num> on " + host);
        assertThat(state().outbox).isEmpty();
    }

    @Test
    void replayedPushesDoNotAlert() throws Exception {
        String host = "replayed-host-" + System.nanoTime();
        List<BusMessage> messages = PACKED.encode(errors(host, "old failure", 3), null);
        given().contentType("application/json").body(pushBody("replay-" + host, messages.get(0), Map.of(Attributes.REPLAY, "run-7")))
                .when().post("/v1/push/alerts").then().statusCode(204);
        assertThat(state().groups.values()).noneMatch(g -> host.equals(g.labels.get("host")));
    }

    @Test
    void readinessChecksTheStateStore() {
        given().when().get("/q/health/ready").then().statusCode(200).body(containsString("alerts"))
                .body("status", equalTo("UP"));
    }
}
