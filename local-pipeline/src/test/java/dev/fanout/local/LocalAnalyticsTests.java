package dev.fanout.local;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The analytics sink inside the local pipeline: Cribl bodies in over HTTP, rows out through the
 * pipeline's own read-only {@code POST /v1/query} on the DuckDB file it writes.
 */
@QuarkusTest
@TestProfile(LocalTestProfile.class)
class LocalAnalyticsTests {

    @ConfigProperty(name = "FANOUT_DATA_DIR")
    String dataDir;
    @Inject
    StartupBanner banner;

    private String token;

    @BeforeEach
    void setUp() throws Exception {
        token = Files.readString(Path.of(dataDir, GeneratedTokenSource.FILE_NAME)).strip();
    }

    private JsonPath query(String sql) {
        return given().header("Authorization", "Bearer " + token).body(sql).when().post("/v1/query")
                .then().log().ifValidationFails().statusCode(200).extract().jsonPath();
    }

    private long count(String sql) {
        return query(sql).getLong("rows[0][0]");
    }

    private void awaitCount(String sql, long n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (count(sql) < n && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(count(sql)).as(sql).isEqualTo(n);
    }

    @Test
    void ingestedEventsBecomeRowsOfBothTablesQueryableOverHttp() throws Exception {
        // Recent events: older ones (past events' 30-day expiry) would be in events_raw only.
        StringBuilder sb = new StringBuilder();
        double now = System.currentTimeMillis() / 1000.0;
        for (int i = 0; i < 6; i++) {
            sb.append(CriblBodies.event("analytics-http-" + i, "info").replace("1732371234.567", String.format(java.util.Locale.ROOT, "%.3f", now)))
                    .append('\n');
        }
        byte[] body = sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        given().header("Authorization", "Bearer " + token).contentType("application/x-ndjson").body(body)
                .when().post("/v1/events").then().statusCode(200).body("accepted", equalTo(6));
        List<String> ids = CriblBodies.expectedIds(body, 6);
        String in = "('" + String.join("','", ids) + "')";

        awaitCount("SELECT count(*) FROM analytics.events WHERE id IN " + in, 6);
        assertThat(count("SELECT count(*) FROM analytics.events_raw WHERE id IN " + in)).isEqualTo(6);
        JsonPath row = query("SELECT host, sourcetype, severity, JSON_EXTRACT_SCALAR(fields, '$.cribl_pipe') AS pipe "
                + "FROM analytics.events WHERE id = '" + ids.get(0) + "'");
        assertThat(row.getList("rows[0]", String.class)).containsExactly("web-1", "app", "info", "main");
        assertThat(row.getString("columns[3].name")).isEqualTo("pipe");
    }

    @Test
    void oldEventsAreInEventsRawOnly() throws Exception {
        byte[] body = CriblBodies.ndjson(CriblBodies.raws("analytics-old", 3)); // _time in 2024
        given().header("Authorization", "Bearer " + token).contentType("application/x-ndjson").body(body)
                .when().post("/v1/events").then().statusCode(200);
        String in = "('" + String.join("','", CriblBodies.expectedIds(body, 3)) + "')";
        awaitCount("SELECT count(*) FROM analytics.events_raw WHERE id IN " + in, 3);
        assertThat(count("SELECT count(*) FROM analytics.events WHERE id IN " + in)).isZero();
    }

    @Test
    void theQueryEndpointWantsTheTokenAndRefusesWrites() {
        given().body("SELECT 1").when().post("/v1/query").then().statusCode(401).body("error", equalTo("missing_token"));
        given().header("Authorization", "Bearer nope").body("SELECT 1").when().post("/v1/query")
                .then().statusCode(401).body("error", equalTo("invalid_token"));
        given().header("Authorization", "Bearer " + token).body("DELETE FROM events").when().post("/v1/query")
                .then().statusCode(400).body("error", containsString("_"));
        given().header("Authorization", "Bearer " + token).contentType("application/json").body("{\"sql\":\"SELECT 41 + 1 AS x\"}")
                .when().post("/v1/query").then().statusCode(200).body("rows[0][0]", equalTo(42));
    }

    @Test
    void theBannerNamesTheDatabaseAndAQueryToPaste() {
        assertThat(banner.text()).contains(Path.of(dataDir, "analytics.duckdb").toAbsolutePath().normalize().toString())
                .contains("/v1/query").contains("FROM analytics.events");
    }

    @Test
    void readinessIncludesTheAnalyticsSink() {
        given().when().get("/q/health/ready").then().statusCode(200).body("checks.find { it.name == 'fanout-sinks' }.data.analytics", equalTo("ok"));
    }
}
