package dev.fanout.local;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.events.Envelope;
import dev.fanout.events.EnvelopeCodec;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * {@code fanout.analytics.enabled=false} and {@code fanout.alerts.enabled=false}: the pipeline is
 * the bus and the archive alone (the shape the bus benchmark measures), with no DuckDB file and no
 * query endpoint.
 */
@QuarkusTest
@TestProfile(LocalArchiveOnlyTests.ArchiveOnly.class)
class LocalArchiveOnlyTests {

    public static class ArchiveOnly extends LocalTestProfile {
        @Override
        protected Map<String, String> extraOverrides() {
            return Map.of("fanout.analytics.enabled", "false", "fanout.alerts.enabled", "false");
        }
    }

    @ConfigProperty(name = "FANOUT_DATA_DIR")
    String dataDir;
    @jakarta.inject.Inject
    StartupBanner banner;

    @Test
    void onlyTheArchiveConsumesAndNothingOpensDuckDb() throws Exception {
        String token = Files.readString(Path.of(dataDir, GeneratedTokenSource.FILE_NAME)).strip();
        String prefix = "archive-only-" + System.nanoTime();
        given().header("Authorization", "Bearer " + token).contentType("application/x-ndjson")
                .body(CriblBodies.ndjson(CriblBodies.raws(prefix, 5))).when().post("/v1/events")
                .then().statusCode(200);

        List<Envelope> archived = ArchiveFiles.awaitEnvelopes(Path.of(dataDir, "archive"), Duration.ofSeconds(30),
                l -> l.stream().filter(e -> e.raw().startsWith(prefix)).count() >= 5);
        assertThat(archived.stream().filter(e -> e.raw().startsWith(prefix))).hasSize(5);

        JsonNode status = EnvelopeCodec.mapper().readTree(given().when().get("/v1/status").then().statusCode(200).extract().asString());
        assertThat(status.path("sinks").fieldNames()).toIterable().containsExactly("archive");
        assertThat(Path.of(dataDir, "analytics.duckdb")).doesNotExist();
        given().header("Authorization", "Bearer " + token).body("SELECT 1").when().post("/v1/query")
                .then().statusCode(404);
        assertThat(banner.text()).contains("journal -> archive\n").doesNotContain("analytics ").doesNotContain("alerts   ");
    }
}
