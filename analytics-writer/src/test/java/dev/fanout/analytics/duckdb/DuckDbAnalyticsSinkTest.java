package dev.fanout.analytics.duckdb;

import static dev.fanout.analytics.AnalyticsTestRecords.batch;
import static dev.fanout.analytics.AnalyticsTestRecords.records;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.analytics.AnalyticsTestRecords;
import dev.fanout.analytics.schema.AnalyticsSchema;
import dev.fanout.events.Envelope;
import dev.fanout.events.EnvelopeCodec;
import dev.fanout.events.Severity;
import dev.fanout.events.port.MessageMeta;
import dev.fanout.events.port.SinkRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.duckdb.DuckDBConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The DuckDB analytics sink on a real file. */
class DuckDbAnalyticsSinkTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private DuckDbAnalyticsStore open() throws SQLException {
        return DuckDbAnalyticsStore.open(dir.resolve("analytics.duckdb"), "128MB", 1, "256MB");
    }

    private static long count(DuckDbAnalyticsStore store, String sql) throws SQLException {
        try (Connection c = store.readOnlyConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void rowsLandInBothTablesWithTheirColumnsAndSurviveAReopen() throws Exception {
        Instant start = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MILLIS);
        List<SinkRecord> records = records(0, 25, start);
        try (DuckDbAnalyticsStore store = open()) {
            DuckDbAnalyticsSink sink = new DuckDbAnalyticsSink(store, Clock.systemUTC());
            assertThat(sink.write(batch(records)).isAllDelivered()).isTrue();
            sink.checkReady();
        }
        try (DuckDbAnalyticsStore store = open()) {
            assertThat(count(store, "SELECT count(*) FROM events_raw")).isEqualTo(25);
            assertThat(count(store, "SELECT count(*) FROM events")).isEqualTo(25);
            // Each row's attributes are its own message's (a message's JSON is reused for its events only).
            assertThat(count(store, "SELECT count(*) FROM events_raw WHERE json_extract_string(attributes, '$.replay') "
                    + "IS NOT DISTINCT FROM replay")).isEqualTo(25);
            assertThat(count(store, "SELECT count(*) FROM events_raw WHERE replay IS NOT NULL")).isBetween(1L, 24L);
            Envelope e = records.get(3).envelope();
            try (Connection c = store.readOnlyConnection(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT r.time, r.payload, r.attributes, r.replay, r.message_id, r.published_at, "
                            + "t.host, t.sourcetype, t.\"index\", t.severity, t.raw, t.fields, t.parse_error "
                            + "FROM events_raw r JOIN events t USING (id) WHERE id = '" + e.id() + "'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getObject(1, OffsetDateTime.class).toInstant()).isEqualTo(e.time());
                assertThat(EnvelopeCodec.fromJson(JSON.readTree(rs.getString(2)))).isEqualTo(e);
                assertThat(JSON.readTree(rs.getString(3)).path("schema").asText()).isEqualTo("1");
                assertThat(rs.getString(4)).isEqualTo(records.get(3).message().replay().orElse(null));
                assertThat(rs.getString(5)).isEqualTo(records.get(3).message().messageId());
                assertThat(rs.getObject(6, OffsetDateTime.class).toInstant()).isEqualTo(records.get(3).message().publishTime());
                assertThat(rs.getString(7)).isEqualTo(e.host());
                assertThat(rs.getString(8)).isEqualTo(e.sourcetype());
                assertThat(rs.getString(9)).isEqualTo(e.index());
                assertThat(rs.getString(10)).isEqualTo(e.severity().wireName());
                assertThat(rs.getString(11)).isEqualTo(e.raw());
                assertThat(JSON.readTree(rs.getString(12))).isEqualTo(e.fields());
                assertThat(rs.getString(13)).isNull();
            }
        }
    }

    @Test
    void theDedupViewHasOneRowPerIdAndOldEventsAreRawOnly() throws Exception {
        Instant recent = Instant.now().minus(5, ChronoUnit.MINUTES);
        List<SinkRecord> fresh = records(0, 10, recent);
        List<SinkRecord> old = records(100, 4, Instant.now().minus(AnalyticsSchema.EVENTS_EXPIRATION_DAYS + 2, ChronoUnit.DAYS));
        try (DuckDbAnalyticsStore store = open()) {
            DuckDbAnalyticsSink sink = new DuckDbAnalyticsSink(store, Clock.systemUTC());
            List<SinkRecord> all = new ArrayList<>(fresh);
            all.addAll(old);
            sink.write(batch(all));
            sink.write(batch(fresh)); // a redelivery

            assertThat(count(store, "SELECT count(*) FROM events_raw")).isEqualTo(24);
            assertThat(count(store, "SELECT count(*) FROM events")).isEqualTo(20);
            assertThat(count(store, "SELECT count(*) FROM events_dedup")).isEqualTo(10);
            assertThat(count(store, "SELECT count(DISTINCT id) FROM events_dedup")).isEqualTo(10);
        }
    }

    @Test
    void aSecondProcessCannotOpenTheFileAndIsToldWhy() throws Exception {
        try (DuckDbAnalyticsStore store = open()) {
            // A second database instance on the same file (as another process would be) is refused by DuckDB's lock.
            Path file = dir.resolve("analytics.duckdb");
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), OpenOnce.class.getName(), file.toString());
            pb.redirectErrorStream(true);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).isEqualTo(3);
            assertThat(out).contains("in use by another process");
        }
    }

    /** Run in a child JVM by the test above. */
    public static final class OpenOnce {
        public static void main(String[] args) {
            try (DuckDbAnalyticsStore s = DuckDbAnalyticsStore.open(Path.of(args[0]), "64MB", 1, "256MB")) {
                System.exit(0);
            } catch (SQLException e) {
                System.out.println(e.getMessage());
                System.exit(3);
            }
        }
    }

    @Test
    void aMissingStoreColumnIsAddedAndAMistypedOneFailsTheOpenWithTheDdl() throws Exception {
        Path file = dir.resolve("analytics.duckdb");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file); Statement s = c.createStatement()) {
            s.execute(DuckDbLayout.createStore());
            s.execute("ALTER TABLE events_store DROP COLUMN replay");
        }
        try (DuckDbAnalyticsStore store = open()) {
            assertThat(store.columns("events_store")).containsEntry("replay", "VARCHAR");
            assertThat(store.columns("events_raw")).containsKey("replay");
        }
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file); Statement s = c.createStatement()) {
            s.execute("DROP VIEW events_dedup");
            s.execute("DROP VIEW events");
            s.execute("DROP VIEW events_raw");
            s.execute("ALTER TABLE events_store ALTER \"time\" TYPE VARCHAR");
        }
        assertThatThrownBy(this::open).isInstanceOf(SQLException.class)
                .hasMessageContaining("events_store.time is VARCHAR, expected TIMESTAMPTZ")
                .hasMessageContaining("CREATE TABLE IF NOT EXISTS events_store");
    }

    @Test
    void payloadIsTheEnvelopeTextTheBridgeWrote() throws Exception {
        Instant t = Instant.parse("2026-11-30T23:59:58Z");
        List<Envelope> envelopes = List.of(
                envelope("a1", t, Envelope.TimeSource.EVENT, "web-01", "GET /x?q=\"a b\" \\ ünï ✓ \t end", null),
                envelope("a2", t.plusMillis(7), Envelope.TimeSource.RECEIVED, null, null, "line 3: unexpected '}'"),
                envelope("a3", t.plusNanos(123_456_000), Envelope.TimeSource.EVENT, "h", "", null),
                envelope("a4", Instant.parse("1969-12-31T23:59:59.999Z"), Envelope.TimeSource.EVENT, "h", "r", null));
        MessageMeta meta = new MessageMeta("m-1", AnalyticsTestRecords.PUBLISHED, 1, Map.of("schema", "1"));
        List<SinkRecord> records = envelopes.stream().map(e -> new SinkRecord(e, meta)).toList();
        try (DuckDbAnalyticsStore store = open()) {
            // Fixed event times far in the past: loaded now, so all four are in events_raw (by loaded_at).
            new DuckDbAnalyticsSink(store, Clock.systemUTC()).write(batch(records));
            try (Connection c = store.readOnlyConnection(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT id, payload FROM events_raw ORDER BY id")) {
                for (Envelope e : envelopes) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo(e.id());
                    assertThat(rs.getString(2)).isEqualTo(new String(EnvelopeCodec.toJson(e), StandardCharsets.UTF_8));
                    assertThat(EnvelopeCodec.fromJson(rs.getString(2).getBytes(StandardCharsets.UTF_8))).isEqualTo(e);
                }
                assertThat(rs.next()).isFalse();
            }
        }
    }

    private static Envelope micros(Envelope e) {
        return new Envelope(e.id(), e.schema(), e.time().truncatedTo(ChronoUnit.MICROS), e.timeSource(),
                e.receivedAt().truncatedTo(ChronoUnit.MICROS), e.host(), e.source(), e.sourcetype(), e.index(), e.severity(), e.raw(),
                e.fields(), e.parseError());
    }

    private static Envelope envelope(String id, Instant time, Envelope.TimeSource ts, String host, String raw, String parseError) {
        ObjectNode fields = JsonNodeFactory.instance.objectNode();
        fields.put("status", 503).put("ratio", 0.25).put("msg", "quote \" and \u0001 control");
        fields.putArray("tags").add("a").add(2);
        return new Envelope(id, 1, time, ts, time.plusSeconds(1), host, "/var/log/x", "nginx", "main",
                Severity.WARNING, raw, fields, parseError);
    }

    @Test
    void aFileOfTheEarlierTwoTableLayoutIsMovedIntoTheStore() throws Exception {
        Path file = dir.resolve("analytics.duckdb");
        Instant now = Instant.now();
        List<SinkRecord> both = records(0, 20, now.minus(2, ChronoUnit.HOURS));
        List<SinkRecord> typedOnly = records(100, 5, now.minus(20, ChronoUnit.DAYS));
        List<SinkRecord> rawOnly = records(200, 3, now.minus(AnalyticsSchema.EVENTS_EXPIRATION_DAYS + 5, ChronoUnit.DAYS));
        try (DuckDBConnection c = DriverManager.getConnection("jdbc:duckdb:" + file).unwrap(DuckDBConnection.class)) {
            EarlierLayout.create(c);
            EarlierLayout.write(c, both, now, true, true);
            EarlierLayout.write(c, both.subList(0, 10), now, true, true); // a redelivery of one message
            EarlierLayout.write(c, typedOnly, now.minus(19, ChronoUnit.DAYS), false, true); // landing rows expired
            EarlierLayout.write(c, rawOnly, now, true, false); // too old for events
        }
        try (DuckDbAnalyticsStore store = open()) {
            assertThat(count(store, "SELECT count(*) FROM information_schema.tables WHERE table_name IN ('events_raw', 'events', "
                    + "'events_dedup') AND table_type = 'VIEW'")).isEqualTo(3);
            assertThat(count(store, "SELECT count(*) FROM events_raw")).isEqualTo(20 + 10 + 3);
            assertThat(count(store, "SELECT count(*) FROM events")).isEqualTo(20 + 10 + 5);
            assertThat(count(store, "SELECT count(*) FROM events_dedup")).isEqualTo(25);
            assertThat(count(store, "SELECT count(*) FROM events_store")).isEqualTo(20 + 10 + 5 + 3);
            Envelope e = rawOnly.get(1).envelope();
            Envelope f = both.get(7).envelope();
            try (Connection c = store.readOnlyConnection(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT DISTINCT payload FROM events_raw WHERE id IN ('" + e.id() + "', '" + f.id()
                            + "')")) {
                List<Envelope> read = new ArrayList<>();
                while (rs.next()) {
                    read.add(EnvelopeCodec.fromJson(rs.getString(1).getBytes(StandardCharsets.UTF_8)));
                }
                // DuckDB keeps microseconds; the test events have nanoseconds.
                assertThat(read).containsExactlyInAnyOrder(micros(e), micros(f));
            }
            try (Connection c = store.readOnlyConnection(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT host, fields, severity, raw FROM events WHERE id = '" + f.id() + "' LIMIT 1")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo(f.host());
                assertThat(JSON.readTree(rs.getString(2))).isEqualTo(f.fields());
                assertThat(rs.getString(3)).isEqualTo(f.severity().wireName());
                assertThat(rs.getString(4)).isEqualTo(f.raw());
            }
            new DuckDbAnalyticsSink(store, Clock.systemUTC()).write(batch(records(300, 10, now.minus(1, ChronoUnit.MINUTES))));
            assertThat(count(store, "SELECT count(*) FROM events")).isEqualTo(45);
        }
    }

    private static long walBytes(Path db) throws Exception {
        Path wal = db.resolveSibling(db.getFileName() + ".wal");
        return Files.exists(wal) ? Files.size(wal) : 0;
    }

    @Test
    void theWalIsFoldedIntoTheFileAtTheConfiguredThreshold() throws Exception {
        Instant start = Instant.now().minus(10, ChronoUnit.MINUTES);
        // 4 batches, ~1.07 MB of WAL each: past a 1MB threshold every time, far below 256MB (and below
        // DuckDB's 16 MiB default, so this shows the setting reaches DuckDB; the benchmark shows its worth).
        Path small = dir.resolve("small/analytics.duckdb");
        try (DuckDbAnalyticsStore store = DuckDbAnalyticsStore.open(small, "128MB", 1, "1MB")) {
            DuckDbAnalyticsSink sink = new DuckDbAnalyticsSink(store, Clock.systemUTC());
            for (int b = 0; b < 4; b++) {
                sink.write(batch(records(b * 2_000, 2_000, start)));
            }
            assertThat(Files.size(small)).as("rows checkpointed into the file").isGreaterThan(2_000_000);
            assertThat(walBytes(small)).isLessThan(2_500_000);
        }
        Path big = dir.resolve("big/analytics.duckdb");
        try (DuckDbAnalyticsStore store = DuckDbAnalyticsStore.open(big, "128MB", 1, "256MB")) {
            DuckDbAnalyticsSink sink = new DuckDbAnalyticsSink(store, Clock.systemUTC());
            for (int b = 0; b < 4; b++) {
                sink.write(batch(records(b * 2_000, 2_000, start)));
            }
            assertThat(walBytes(big)).as("committed rows waiting in the WAL").isGreaterThan(3_000_000);
            assertThat(Files.size(big)).isLessThan(1_000_000);
            assertThat(count(store, "SELECT count(*) FROM events_raw")).isEqualTo(8_000);
            assertThat(count(store, "SELECT count(*) FROM events")).isEqualTo(8_000);
        }
        try (DuckDbAnalyticsStore store = DuckDbAnalyticsStore.open(big, "128MB", 1, "256MB")) {
            assertThat(count(store, "SELECT count(DISTINCT id) FROM events_raw")).as("after a clean close").isEqualTo(8_000);
        }
    }

    @Test
    void aBatchThatFailsPastTheAppendersChunkLeavesNoRowAndTheNextBatchLands() throws Exception {
        Instant start = Instant.now().minus(10, ChronoUnit.MINUTES);
        // 5,000 rows: the Appender hands DuckDB a chunk every 2,048, so the failure at row 4,000 comes
        // after two chunks were appended; only a transaction around the whole batch takes them back.
        List<SinkRecord> records = new ArrayList<>(records(0, 5_000, start));
        SinkRecord good = records.get(4_000);
        Envelope e = good.envelope();
        Envelope unwritable = new Envelope(e.id(), e.schema(), Instant.MAX, e.timeSource(), e.receivedAt(), e.host(),
                e.source(), e.sourcetype(), e.index(), e.severity(), e.raw(), e.fields(), e.parseError());
        records.set(4_000, new SinkRecord(unwritable, good.message()));
        try (DuckDbAnalyticsStore store = open()) {
            DuckDbAnalyticsSink sink = new DuckDbAnalyticsSink(store, Clock.systemUTC());
            assertThatThrownBy(() -> sink.write(batch(records))).isInstanceOf(ArithmeticException.class);
            assertThat(count(store, "SELECT count(*) FROM events_raw")).as("rows of the failed batch").isZero();

            records.set(4_000, good);
            assertThat(sink.write(batch(records)).isAllDelivered()).isTrue();
            assertThat(count(store, "SELECT count(*) FROM events_raw")).isEqualTo(5_000);
            assertThat(count(store, "SELECT count(DISTINCT id) FROM events_raw")).isEqualTo(5_000);
        }
    }

    @Test
    void sqlCannotReachTheFileSystem() throws Exception {
        try (DuckDbAnalyticsStore store = open(); Connection c = store.readOnlyConnection(); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeQuery("SELECT * FROM read_csv('/etc/passwd')")).hasMessageContaining("disabled");
        }
    }
}
