package dev.fanout.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.events.EnvelopeCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The analytics side of the packaged local pipeline, run as its own process: Cribl bodies in every
 * format, SIGTERM before any batch is due, then — with the process gone and the file free — every
 * accepted id must be in {@code events_raw} and {@code events}, {@code events_dedup} must hold each
 * id exactly once, and malformed lines must be rows with {@code parse_error}.
 */
class LocalPipelineAnalyticsIT {


    private Path dataDir;
    private PipelineProcess app;
    private HttpClient http;
    private URI ingest;
    private String token;

    /** Ids the bridge must give the events (derived from each decompressed body, malformed lines included). */
    private final Set<String> expectedIds = new HashSet<>();
    private final Set<String> malformedRaws = new HashSet<>();
    private int accepted;

    @BeforeEach
    void start() throws Exception {
        String jar = System.getProperty("local-pipeline.jar", "target/quarkus-app/quarkus-run.jar");
        assertThat(Path.of(jar)).as("packaged app (run `package` first)").isRegularFile();
        dataDir = Path.of("target", "it-data", "analytics-" + UUID.randomUUID()).toAbsolutePath();
        app = new PipelineProcess(dataDir, List.of(
                // Nothing may be due by age before the SIGTERM: the shutdown flush must write it all.
                "fanout.consumer.sinks.\"archive\".max-age=60s", "fanout.consumer.sinks.\"analytics\".max-age=60s",
                "fanout.consumer.local.ack-deadline=5m", "fanout.ingest.wrapper-pointer=/items"), Map.of())
                .start().awaitReady();
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        ingest = app.ingest();
        token = app.token();
    }

    @AfterEach
    void stop() throws Exception {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void everyAcceptedIdIsInBothTablesAndOnceInTheDedupViewAfterSigterm() throws Exception {
        send("plain", ndjson("plain", 200), false, true, "POST", 0);
        send("gzip", ndjson("gzip", 300), true, true, "POST", 0);
        send("sniffed", ndjson("sniffed", 40), true, false, "POST", 0);
        send("put", ndjson("put", 25), false, true, "PUT", 0);
        send("big", ndjson("big", 12_000), true, true, "POST", 0);
        send("array", array("array", 60), false, true, "POST", 0);
        send("array-gz", array("array-gz", 70), true, true, "POST", 0);
        send("custom", ("{\"items\":" + new String(array("custom", 30), StandardCharsets.UTF_8) + "}").getBytes(StandardCharsets.UTF_8),
                true, true, "POST", 0);
        String bad = "{\"_time\":1732371234.567,\"_raw\":\"mixed-truncated";
        malformedRaws.add(bad);
        send("mixed", (new String(ndjson("mixed", 20), StandardCharsets.UTF_8) + bad + "\n").getBytes(StandardCharsets.UTF_8),
                false, true, "POST", 1);
        byte[] same = ndjson("resent", 15);
        send("resent", same, false, true, "POST", 0);
        send("resent", same, true, true, "POST", 0); // Cribl retried: same body, same ids
        assertThat(expectedIds).hasSize(accepted - 15);

        assertThat(Files.exists(dataDir.resolve("analytics.duckdb"))).isTrue();
        int exit = app.sigterm(Duration.ofSeconds(60));
        String output = app.runLog();
        assertThat(exit).as("exit status; log:%n%s", output).isIn(0, 143);
        assertThat(output).contains("sink analytics: flushed").doesNotContain("flush incomplete");

        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + dataDir.resolve("analytics.duckdb"));
                Statement s = c.createStatement()) {
            Map<String, Integer> raw = counts(s, "SELECT id, count(*) FROM events_raw GROUP BY id");
            Map<String, Integer> typed = counts(s, "SELECT id, count(*) FROM events GROUP BY id");
            Map<String, Integer> dedup = counts(s, "SELECT id, count(*) FROM events_dedup GROUP BY id");
            assertThat(raw.keySet()).containsExactlyInAnyOrderElementsOf(expectedIds);
            assertThat(typed.keySet()).containsExactlyInAnyOrderElementsOf(expectedIds);
            assertThat(dedup.keySet()).containsExactlyInAnyOrderElementsOf(expectedIds);
            assertThat(dedup.values()).containsOnly(1);
            // As often as delivered: the resent body's events twice, everything else once.
            int total = raw.values().stream().mapToInt(Integer::intValue).sum();
            assertThat(total).isEqualTo(accepted);
            assertThat(typed.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(accepted);
            try (ResultSet rs = s.executeQuery("SELECT raw, parse_error, time_src FROM (SELECT raw, parse_error, "
                    + "json_extract_string(r.payload, '$.time_source') AS time_src FROM events e JOIN events_raw r USING (id) "
                    + "WHERE e.parse_error IS NOT NULL)")) {
                List<String> found = new ArrayList<>();
                while (rs.next()) {
                    found.add(rs.getString(1));
                    assertThat(rs.getString(2)).isNotBlank();
                    assertThat(rs.getString(3)).isEqualTo("received");
                }
                assertThat(found).containsExactlyInAnyOrderElementsOf(malformedRaws);
            }
        }
    }

    private static Map<String, Integer> counts(Statement s, String sql) throws Exception {
        Map<String, Integer> out = new HashMap<>();
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getInt(2));
            }
        }
        return out;
    }

    /** Recent events (older ones go to events_raw only, by design). */
    private static String event(String raw, String level) {
        double now = System.currentTimeMillis() / 1000.0;
        return CriblBodies.event(raw, level).replace("1732371234.567", String.format(Locale.ROOT, "%.3f", now));
    }

    private static byte[] ndjson(String prefix, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(event(prefix + "-" + i, i % 7 == 0 ? "error" : "info")).append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] array(String prefix, int n) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ",").append(event(prefix + "-" + i, "warn"));
        }
        return sb.append(']').toString().getBytes(StandardCharsets.UTF_8);
    }

    private void send(String what, byte[] body, boolean gzip, boolean header, String method, int malformed) throws Exception {
        byte[] wire = gzip ? CriblBodies.gzip(body) : body;
        HttpRequest.Builder b = HttpRequest.newBuilder(ingest).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/x-ndjson")
                .method(method, HttpRequest.BodyPublishers.ofByteArray(wire));
        if (gzip && header) {
            b.header("Content-Encoding", "gzip");
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("%s: %s", what, r.body()).isEqualTo(200);
        JsonNode json = EnvelopeCodec.mapper().readTree(r.body());
        int n = json.path("accepted").asInt();
        assertThat(json.path("malformed").asInt()).isEqualTo(malformed);
        accepted += n;
        expectedIds.addAll(CriblBodies.expectedIds(body, n));
    }
}
