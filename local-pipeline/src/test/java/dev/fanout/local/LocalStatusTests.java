package dev.fanout.local;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.events.EnvelopeCodec;
import dev.fanout.events.status.BuildInfo;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** {@code GET /v1/status} and the status page at {@code /} of the composed app. */
@QuarkusTest
@TestProfile(LocalTestProfile.class)
class LocalStatusTests {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @ConfigProperty(name = "FANOUT_DATA_DIR")
    String dataDir;
    @jakarta.inject.Inject
    StartupBanner banner;

    private static JsonNode status() throws Exception {
        return EnvelopeCodec.mapper().readTree(given().when().get("/v1/status").then().statusCode(200).extract().asString());
    }

    @Test
    void everySinkTheBusBacklogTheBridgeAndTheEmailBudgetInOneDocument() throws Exception {
        String token = Files.readString(Path.of(dataDir, GeneratedTokenSource.FILE_NAME)).strip();
        long written = status().path("sinks").path("archive").path("written_events").asLong();
        given().header("Authorization", "Bearer " + token).contentType("application/x-ndjson")
                .body(CriblBodies.ndjson(CriblBodies.raws("status-" + System.nanoTime(), 4))).when().post("/v1/events")
                .then().statusCode(200);

        JsonNode s = status();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (s.path("sinks").path("archive").path("written_events").asLong() < written + 4 && System.nanoTime() < deadline) {
            Thread.sleep(100);
            s = status();
        }
        String body = s.toString();
        assertThat(body).as("no token, no data directory in the document").doesNotContain(token).doesNotContain(dataDir);
        assertThat(s.path("service").asText()).isEqualTo("local-pipeline");
        assertThat(s.path("version").asText()).isEqualTo(BuildInfo.current().version());
        assertThat(s.path("sinks").fieldNames()).toIterable().containsExactlyInAnyOrder("archive", "analytics", "alerts");
        JsonNode archive = s.path("sinks").path("archive");
        assertThat(archive.path("written_events").asLong()).isGreaterThanOrEqualTo(written + 4);
        assertThat(archive.path("last_written_at").isTextual()).isTrue();
        assertThat(archive.path("bus_backlog").path("messages").isNumber()).isTrue();
        assertThat(archive.path("bus_backlog").path("oldest_seconds").isNumber()).isTrue();
        assertThat(s.path("ingest").path("last_accepted_at").isTextual()).isTrue();
        assertThat(s.path("alerts").path("enabled").asBoolean()).isTrue();
        assertThat(s.path("alerts").path("budget").path("remaining_today").isNumber()).isTrue();
    }

    @Test
    void theRootServesTheStatusPageBuiltFromTheDocument() {
        String page = given().when().get("/").then().statusCode(200).contentType(org.hamcrest.Matchers.containsString("text/html"))
                .extract().asString();
        assertThat(page).contains("fetch(\"/v1/status\"").contains("id=\"sinks\"");
        assertThat(banner.text()).containsPattern("status   http://[^ ]+/  \\(page; the document: /v1/status\\)");
    }
}
