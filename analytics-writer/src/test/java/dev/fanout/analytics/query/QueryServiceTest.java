package dev.fanout.analytics.query;

import static dev.fanout.analytics.AnalyticsTestRecords.batch;
import static dev.fanout.analytics.AnalyticsTestRecords.records;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.analytics.duckdb.DuckDbAnalyticsSink;
import dev.fanout.analytics.duckdb.DuckDbAnalyticsStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Read-only, bounded SQL on the live DuckDB file. */
class QueryServiceTest {

    @TempDir
    Path dir;
    private DuckDbAnalyticsStore store;
    private QueryService service;

    @BeforeEach
    void setUp() throws Exception {
        store = DuckDbAnalyticsStore.open(dir.resolve("analytics.duckdb"), "128MB", 1, "256MB");
        new DuckDbAnalyticsSink(store, Clock.systemUTC()).write(batch(records(0, 30, Instant.now().minusSeconds(600))));
        service = new QueryService(store, 5, Duration.ofMillis(500));
    }

    @AfterEach
    void tearDown() throws Exception {
        service.close();
        store.close();
    }

    private static QueryService.QueryException refused(ThrowingRunnable r) {
        try {
            r.run();
        } catch (QueryService.QueryException e) {
            return e;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("not refused");
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void aQueryAnswersColumnsAndRows() throws Exception {
        ObjectNode r = service.run("SELECT count(*) AS n, count(DISTINCT host) AS hosts FROM analytics.events");
        assertThat(r.path("columns").get(0).path("name").asText()).isEqualTo("n");
        assertThat(r.path("rows").get(0).get(0).asLong()).isEqualTo(30);
        assertThat(r.path("truncated").asBoolean()).isFalse();
        ObjectNode t = service.run("SELECT time, fields FROM events LIMIT 1");
        assertThat(t.path("rows").get(0).get(0).asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*");
        assertThat(t.path("rows").get(0).get(1).asText()).startsWith("{");
    }

    @Test
    void rowsBeyondTheLimitAreCutAndFlagged() throws Exception {
        ObjectNode r = service.run("SELECT id FROM events_raw");
        assertThat(r.path("rows").size()).isEqualTo(5);
        assertThat(r.path("row_count").asInt()).isEqualTo(5);
        assertThat(r.path("truncated").asBoolean()).isTrue();
    }

    @Test
    void writesAndSideEffectsAreRefused() throws Exception {
        assertThat(refused(() -> service.run("DELETE FROM events_store")).code).isIn("not_a_query", "query_failed");
        assertThat(refused(() -> service.run("DELETE FROM events")).status).isEqualTo(400);
        assertThat(refused(() -> service.run("DROP TABLE events")).status).isEqualTo(400);
        assertThat(refused(() -> service.run("INSERT INTO events_raw SELECT * FROM events_raw")).status).isEqualTo(400);
        assertThat(refused(() -> service.run("COPY events TO '" + dir.resolve("x.csv") + "'")).status).isEqualTo(400);
        assertThat(refused(() -> service.run("SELECT 1; DELETE FROM events")).status).isEqualTo(400);
        assertThat(refused(() -> service.run("WITH x AS (DELETE FROM events RETURNING id) SELECT * FROM x")).status).isEqualTo(400);
        assertThat(refused(() -> service.run("SELEC oops")).code).isEqualTo("invalid_sql");
        assertThat(service.run("SELECT count(*) FROM events").path("rows").get(0).get(0).asLong()).isEqualTo(30);
        assertThat(dir.resolve("x.csv")).doesNotExist();
    }

    @Test
    void aLongQueryIsCancelledAtTheTimeout() {
        QueryService.QueryException e = refused(() -> service.run("SELECT count(*) FROM range(100000000000) a"));
        assertThat(e.status).isEqualTo(408);
        assertThat(e.code).isEqualTo("timeout");
    }
}
