package dev.fanout.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.events.EnvelopeCodec;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The status page at {@code /} of the packaged app, rendered by headless Chromium (Debian's
 * {@code chromium}, installed by {@code .ci/run}): after its script ran, the page shows each
 * sink with the counts of {@code /v1/status}. Without {@code /usr/bin/chromium} it is skipped
 * locally and fails in CI ({@code CI=true}), so it can never pass by not running.
 */
class LocalStatusPageIT {

    private static final Path CHROMIUM = Path.of(System.getProperty("chromium", "/usr/bin/chromium"));

    private PipelineProcess app;
    private Path dataDir;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws Exception {
        if (!Files.isExecutable(CHROMIUM)) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(CHROMIUM + " is missing: .ci/run installs Debian's chromium before the build");
            }
            Assumptions.abort(CHROMIUM + " is missing (apt-get install chromium): status page not rendered");
        }
        dataDir = Path.of("target", "it-data", UUID.randomUUID().toString()).toAbsolutePath();
        app = new PipelineProcess(dataDir, List.of(), Map.of()).start().awaitReady();
    }

    @AfterEach
    void stop() throws Exception {
        if (app != null) {
            app.close();
        }
    }

    private JsonNode status() throws Exception {
        return EnvelopeCodec.mapper().readTree(http.send(HttpRequest.newBuilder(app.url("/v1/status")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    @Test
    void thePageShowsEachSinkWithItsCountsAfterItsScriptRan() throws Exception {
        // Two info events and one error: the error is what the alert rule counts.
        String body = CriblBodies.event("page-1", "info") + "\n" + CriblBodies.event("page-2", "info") + "\n"
                + CriblBodies.event("page-3", "error") + "\n";
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(app.ingest()).header("Authorization", "Bearer " + app.token())
                .header("Content-Type", "application/x-ndjson").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        JsonNode s = status();
        while (System.nanoTime() < deadline && !(s.path("sinks").path("archive").path("written_events").asLong() == 3
                && s.path("sinks").path("analytics").path("written_events").asLong() == 3)) {
            Thread.sleep(200);
            s = status();
        }
        assertThat(s.path("sinks").path("archive").path("written_events").asLong()).isEqualTo(3);

        String dom = render(app.url("/").toString());

        assertThat(dom).contains("data-rendered=\"true\"").contains("healthy");
        for (String sink : List.of("archive", "analytics", "alerts")) {
            assertThat(field(dom, sink, "state")).isEqualTo("ready");
            assertThat(field(dom, sink, "dead-letters")).isEqualTo("0 / 0");
            assertThat(field(dom, sink, "backlog-messages")).matches("\\d+");
            assertThat(field(dom, sink, "last-received")).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        }
        assertThat(field(dom, "archive", "written")).isEqualTo("3");
        assertThat(field(dom, "analytics", "written")).isEqualTo("3");
        int daily = s.path("alerts").path("daily_cap").asInt();
        assertThat(dom).contains("budget left today: " + s.path("alerts").path("budget").path("remaining_today").asInt()
                + " of " + daily);
    }

    /** The cell {@code data-field} of the row {@code data-sink}, as rendered. */
    private static String field(String dom, String sink, String field) {
        Matcher row = Pattern.compile("<tr data-sink=\"" + sink + "\">(.*?)</tr>", Pattern.DOTALL).matcher(dom);
        assertThat(row.find()).as("a row for sink %s in:%n%s", sink, dom).isTrue();
        Matcher cell = Pattern.compile("<td[^>]*data-field=\"" + field + "\"[^>]*>(.*?)</td>", Pattern.DOTALL).matcher(row.group(1));
        assertThat(cell.find()).as("cell %s of sink %s", field, sink).isTrue();
        return cell.group(1);
    }

    /** The DOM after the page's script ran (virtual time lets the fetch finish before the dump). */
    private String render(String url) throws Exception {
        Path profile = Files.createTempDirectory(dataDir, "chromium-");
        Path out = dataDir.resolve("dom.html");
        Process p = new ProcessBuilder(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--virtual-time-budget=5000", "--dump-dom", url)
                .redirectOutput(out.toFile()).redirectError(dataDir.resolve("chromium.log").toFile()).start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish: " + Files.readString(dataDir.resolve("chromium.log")));
        }
        assertThat(p.exitValue()).as(Files.readString(dataDir.resolve("chromium.log"))).isZero();
        return Files.readString(out, StandardCharsets.UTF_8);
    }
}
