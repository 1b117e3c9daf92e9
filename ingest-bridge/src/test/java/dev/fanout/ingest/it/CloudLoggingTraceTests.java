package dev.fanout.ingest.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.events.status.CloudLoggingTrace;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.ExtHandler;
import org.junit.jupiter.api.Test;

/**
 * The prod profile's console JSON ({@code log-format=gcp}, as in application.properties) in the
 * running bridge: a line logged inside a traced request carries Cloud Logging's trace fields with
 * the GCP project of {@code fanout.pubsub.project-id}, and the trace is the request's (its
 * request id is the trace id).
 */
@QuarkusTest
@QuarkusTestResource(FakeBus.class)
@TestProfile(CloudLoggingTraceTests.GcpJsonLogs.class)
class CloudLoggingTraceTests {

    public static class GcpJsonLogs implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "quarkus.log.console.json.enabled", "true",
                    "quarkus.log.console.json.log-format", "gcp",
                    "quarkus.log.console.json.key-overrides", "level=severity",
                    "fanout.pubsub.project-id", "fanout-prod-1234");
        }
    }

    /** The formatter the app installed on its console handler (null if none: the test fails). */
    private static Formatter installed(Handler[] handlers) {
        for (Handler h : handlers) {
            if (h.getFormatter() instanceof CloudLoggingTrace f) {
                return f;
            }
            if (h instanceof ExtHandler ext) {
                Formatter f = installed(ext.getHandlers());
                if (f != null) {
                    return f;
                }
            }
        }
        return null;
    }

    @Test
    void aLineLoggedInsideATracedRequestIsCorrelatedWithItsTrace() throws Exception {
        Logger root = Logger.getLogger("");
        Formatter console = installed(root.getHandlers());
        assertThat(console).as("the console's JSON formatter is wrapped at start").isNotNull();
        List<String> lines = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                lines.add(console.format(r));
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        root.addHandler(capture);
        String requestId;
        try {
            // A 415 is logged by the resource inside the request ("request <id> rejected 415 …").
            requestId = given().header("Authorization", "Bearer test-token-a").header("Content-Encoding", "br")
                    .body("{}\n").when().post("/v1/events").then().statusCode(415)
                    .extract().jsonPath().getString("request_id");
        } finally {
            root.removeHandler(capture);
        }
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> mine = new ArrayList<>();
        for (String l : lines) {
            JsonNode n = json.readTree(l);
            if (n.path("message").asText().contains("request " + requestId + " rejected 415")) {
                mine.add(n);
            }
        }
        assertThat(mine).singleElement().satisfies(n -> {
            assertThat(n.path("logging.googleapis.com/trace").asText()).isEqualTo("projects/fanout-prod-1234/traces/" + requestId);
            assertThat(n.path("logging.googleapis.com/spanId").asText()).matches("[0-9a-f]{16}");
            assertThat(n.path("logging.googleapis.com/trace_sampled").isBoolean()).isTrue();
            assertThat(n.has("trace")).isFalse();
            // The MDC object keeps the names quarkus-opentelemetry gave its entries.
            assertThat(n.path("mdc").path("spanId").asText()).isEqualTo(n.path("logging.googleapis.com/spanId").asText());
        });
    }
}
