package dev.fanout.local;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.alerts.AlertScheduler;
import dev.fanout.alerts.AlertSink;
import dev.fanout.alerts.state.AlertState;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The alert sink inside the local pipeline, from Cribl bodies over HTTP to the outbox: a burst of
 * error events (3 hosts × 2 messages, with warnings mixed in) becomes exactly one e-mail per
 * group in {@code $FANOUT_DATA_DIR/outbox}, and nothing more however often the scheduler runs.
 */
@QuarkusTest
@TestProfile(LocalAlertsTests.Profile.class)
class LocalAlertsTests {

    public static class Profile extends LocalTestProfile {
        @Override
        protected Map<String, String> extraOverrides() {
            return Map.of("fanout.alerts.group-wait", "1s", "fanout.consumer.sinks.\"alerts\".max-age", "100ms");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    @ConfigProperty(name = "FANOUT_DATA_DIR")
    String dataDir;
    @Inject
    AlertScheduler scheduler;
    @Inject
    AlertSink sink;

    private static String event(String host, String raw, String level, int i) {
        return "{\"_time\":1732371234." + String.format("%03d", i % 1000) + ",\"_raw\":\"" + raw + "\",\"host\":\"" + host
                + "\",\"sourcetype\":\"app\",\"level\":\"" + level + "\"}";
    }

    private List<Path> outbox(String suffix) throws IOException {
        Path dir = Path.of(dataDir, "outbox");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix) && !p.getFileName().toString().startsWith("."))
                    .sorted().toList();
        }
    }

    @Test
    void aBurstOfErrorsBecomesOneEmailPerGroupInTheOutboxAndNoMore() throws Exception {
        String token = Files.readString(Path.of(dataDir, GeneratedTokenSource.FILE_NAME)).strip();
        StringBuilder body = new StringBuilder();
        int n = 0;
        for (String host : List.of("web-1", "web-2", "db-1")) {
            for (int i = 0; i < 200; i++) {
                body.append(event(host, "connection refused to 10.0.0." + (i % 200) + ":5432", "error", n++)).append('\n');
                body.append(event(host, "request " + i + " took " + (900 + i) + " ms", "critical", n++)).append('\n');
                body.append(event(host, "slow query " + i, "warn", n++)).append('\n');
            }
        }
        given().header("Authorization", "Bearer " + token).contentType("application/x-ndjson")
                .body(body.toString().getBytes(StandardCharsets.UTF_8))
                .when().post("/v1/events").then().statusCode(200).body("accepted", equalTo(n));

        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (outbox(".json").size() < 6 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        List<Path> mails = outbox(".json");
        assertThat(mails).hasSize(6);
        assertThat(outbox(".eml")).hasSize(6);
        for (Path p : mails) {
            JsonNode file = JSON.readTree(p.toFile());
            String key = file.get("idempotency_key").asText();
            assertThat(p.getFileName().toString()).isEqualTo(key + ".json");
            JsonNode email = file.get("email");
            assertThat(email.get("from").asText()).isEqualTo("Fanout local <alerts@localhost>");
            assertThat(email.get("to").get(0).asText()).isEqualTo("operator@localhost");
            assertThat(email.get("subject").asText()).containsAnyOf("200 × connection refused to <ip>", "200 × request <num> took <num> ms");
            assertThat(email.get("text").asText()).contains(Path.of(dataDir, "archive", "events").toString());
            String eml = Files.readString(p.resolveSibling(key + ".eml"));
            assertThat(eml).contains("To: operator@localhost").contains("multipart/alternative");
            // The subject has a non-ASCII "×": RFC 2047-encoded, and decodes to the JSON's subject.
            java.util.regex.Matcher subject = java.util.regex.Pattern.compile("Subject: =\\?UTF-8\\?B\\?([^?]+)\\?=").matcher(eml);
            assertThat(subject.find()).isTrue();
            assertThat(new String(java.util.Base64.getDecoder().decode(subject.group(1)), StandardCharsets.UTF_8))
                    .isEqualTo(email.get("subject").asText());
        }

        // The scheduler finds nothing more to send: every group's window was e-mailed.
        for (int i = 0; i < 3; i++) {
            scheduler.runOnce();
        }
        assertThat(outbox(".json")).hasSize(6);
        AlertState s = sink.state().read(st -> st, 0);
        assertThat(s.groups).hasSize(6);
        assertThat(s.groups.values()).allSatisfy(g -> assertThat(g.pending).isZero());
        assertThat(s.outbox).isEmpty();
        assertThat(s.budget.dayUsed).isEqualTo(6);
    }
}
