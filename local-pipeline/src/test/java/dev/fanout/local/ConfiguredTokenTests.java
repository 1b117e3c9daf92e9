package dev.fanout.local;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** A token the user configured is used as is, never written to disk and never printed. */
@QuarkusTest
@TestProfile(ConfiguredTokenTests.OwnToken.class)
class ConfiguredTokenTests {

    static final String TOKEN = "users-own-secret-token-4b1d";

    public static class OwnToken extends LocalTestProfile {
        @Override
        protected Map<String, String> extraOverrides() {
            return Map.of("fanout.ingest.tokens", TOKEN);
        }
    }

    @ConfigProperty(name = "FANOUT_DATA_DIR")
    String dataDir;
    @Inject
    StartupBanner banner;

    @Test
    void theConfiguredTokenIsUsedButNeitherStoredNorShown() {
        given().header("Authorization", "Bearer " + TOKEN).body(CriblBodies.event("own-token", "info") + "\n")
                .when().post("/v1/events").then().statusCode(200);
        assertThat(Path.of(dataDir, GeneratedTokenSource.FILE_NAME)).doesNotExist();
        assertThat(banner.text()).doesNotContain(TOKEN).contains("configured").contains("Bearer $TOKEN");
    }
}
