package dev.fanout.analytics.bigquery;

import static dev.fanout.analytics.AnalyticsTestRecords.batch;
import static dev.fanout.analytics.AnalyticsTestRecords.records;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.analytics.AnalyticsSchemaException;
import dev.fanout.analytics.AnalyticsTestRecords;
import dev.fanout.analytics.schema.AnalyticsSchema;
import dev.fanout.events.Envelope;
import dev.fanout.events.EnvelopeCodec;
import dev.fanout.events.Severity;
import dev.fanout.events.port.MessageMeta;
import dev.fanout.events.port.RecordOutcome;
import dev.fanout.events.port.SinkRecord;
import dev.fanout.events.port.WriteResult;
import io.grpc.Status;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The real Storage Write API client (StreamWriter, connection pool) against the loopback fake. */
class BigQueryAnalyticsSinkTests {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final BigQueryFixture bq = new BigQueryFixture();
    private BigQueryAnalyticsSink sink;

    @AfterEach
    void tearDown() {
        if (sink != null) {
            sink.close();
        }
        bq.close();
    }

    private static Instant recent() {
        return Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MILLIS);
    }

    private static List<String> ids(List<Map<String, Object>> rows) {
        return rows.stream().map(r -> (String) r.get("id")).toList();
    }

    @Test
    void everyRecordLandsInBothTablesWithItsColumns() throws Exception {
        sink = bq.sink(BigQueryLimits.DEFAULT_APPEND_BYTES);
        sink.checkReady();
        List<SinkRecord> records = records(0, 50, recent());
        Instant before = Instant.now();

        WriteResult result = sink.write(batch(records));

        assertThat(result.isAllDelivered()).isTrue();
        List<String> expected = records.stream().map(SinkRecord::id).toList();
        assertThat(ids(bq.rows("events_raw"))).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(ids(bq.rows("events"))).containsExactlyInAnyOrderElementsOf(expected);

        Map<String, Map<String, Object>> raw = bq.rows("events_raw").stream().collect(Collectors.toMap(r -> (String) r.get("id"), r -> r));
        Map<String, Map<String, Object>> typed = bq.rows("events").stream().collect(Collectors.toMap(r -> (String) r.get("id"), r -> r));
        for (SinkRecord r : records) {
            Envelope e = r.envelope();
            Map<String, Object> rr = raw.get(e.id());
            assertThat(rr.get("time")).isEqualTo(e.time());
            assertThat(rr.get("received_at")).isEqualTo(e.receivedAt());
            assertThat((Instant) rr.get("loaded_at")).isBetween(before.minusSeconds(1), Instant.now());
            assertThat(rr.get("message_id")).isEqualTo(r.message().messageId());
            assertThat(rr.get("published_at")).isEqualTo(AnalyticsTestRecords.PUBLISHED);
            assertThat(rr.get("replay")).isEqualTo(r.message().replay().orElse(null));
            JsonNode payload = JSON.readTree((String) rr.get("payload"));
            assertThat(EnvelopeCodec.fromJson(payload)).isEqualTo(e);
            JsonNode attrs = JSON.readTree((String) rr.get("attributes"));
            assertThat(attrs.path("encoding").asText()).isEqualTo("ndjson+gzip");

            Map<String, Object> tr = typed.get(e.id());
            assertThat(tr.get("time")).isEqualTo(e.time());
            assertThat(tr.get("host")).isEqualTo(e.host());
            assertThat(tr.get("source")).isEqualTo(e.source());
            assertThat(tr.get("sourcetype")).isEqualTo(e.sourcetype());
            assertThat(tr.get("index")).isEqualTo(e.index());
            assertThat(tr.get("severity")).isEqualTo(e.severity().wireName());
            assertThat(tr.get("raw")).isEqualTo(e.raw());
            assertThat(JSON.readTree((String) tr.get("fields"))).isEqualTo(e.fields());
            assertThat(tr).doesNotContainKey("parse_error");
            assertThat(tr.get("message_id")).isEqualTo(r.message().messageId());
        }
        assertThat(records).anyMatch(r -> r.message().replayed()).anyMatch(r -> !r.message().replayed());
    }

    @Test
    void aMalformedLineBecomesARowWithParseErrorAndNullFields() throws Exception {
        sink = bq.sink(BigQueryLimits.DEFAULT_APPEND_BYTES);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Envelope bad = new Envelope("00000000000000000000000000000bad", 1, now, Envelope.TimeSource.RECEIVED, now, null, null,
                null, null, Severity.INFO, "{\"_raw\":\"cut off", EnvelopeCodec.mapper().createObjectNode(), "invalid JSON: cut off");
        SinkRecord r = new SinkRecord(bad, new MessageMeta("m-1", null, 0, Map.of()));

        assertThat(sink.write(batch(List.of(r))).isAllDelivered()).isTrue();

        Map<String, Object> row = bq.rows("events").get(0);
        assertThat(row.get("parse_error")).isEqualTo("invalid JSON: cut off");
        assertThat(row.get("raw")).isEqualTo("{\"_raw\":\"cut off");
        assertThat(row).doesNotContainKeys("host", "sourcetype");
        assertThat(bq.rows("events_raw").get(0)).doesNotContainKeys("published_at", "replay");
    }

    @Test
    void eventsOlderThanTheEventsExpiryGoToEventsRawOnly() throws Exception {
        sink = bq.sink(BigQueryLimits.DEFAULT_APPEND_BYTES);
        List<SinkRecord> old = records(0, 5, Instant.now().minus(AnalyticsSchema.EVENTS_EXPIRATION_DAYS + 1, ChronoUnit.DAYS));
        List<SinkRecord> fresh = records(100, 5, recent());
        List<SinkRecord> all = new ArrayList<>(old);
        all.addAll(fresh);

        assertThat(sink.write(batch(all)).isAllDelivered()).isTrue();

        assertThat(ids(bq.rows("events_raw"))).hasSize(10);
        assertThat(ids(bq.rows("events"))).containsExactlyInAnyOrderElementsOf(fresh.stream().map(SinkRecord::id).toList());
    }

    @Test
    void aRowTheServerRefusesIsRejectedWithItsMessageAndTheRestIsAppendedAgain() throws Exception {
        sink = bq.sink(BigQueryLimits.DEFAULT_APPEND_BYTES);
        List<SinkRecord> records = records(0, 30, recent());
        String badId = records.get(17).id();
        bq.fake.faults().rejectRows(row -> badId.equals(row.get("id")) && row.containsKey("payload"),
                "Field payload: JSON nesting too deep (fake)");

        WriteResult result = sink.write(batch(records));

        for (int i = 0; i < records.size(); i++) {
            RecordOutcome o = result.outcome(i);
            if (i == 17) {
                assertThat(o.kind()).isEqualTo(RecordOutcome.Kind.REJECTED);
                assertThat(o.reason()).contains("events_raw").contains("JSON nesting too deep (fake)");
            } else {
                assertThat(o.delivered()).as("record %d", i).isTrue();
            }
        }
        // The refused request wrote nothing; the second one wrote the other 29 rows, once each.
        assertThat(ids(bq.rows("events_raw"))).hasSize(29).doesNotContain(badId).doesNotHaveDuplicates();
        assertThat(ids(bq.rows("events"))).hasSize(30).contains(badId);
        assertThat(bq.fake.failedRequests()).isEqualTo(1);
    }

    @Test
    void rowsMissingARequiredValueAreRejectedPerRow() throws Exception {
        sink = bq.sink(BigQueryLimits.DEFAULT_APPEND_BYTES);
        List<SinkRecord> records = records(0, 4, recent());
        // Every events row has severity; make the server think it's missing for one (fake rule on the decoded row).
        String id = records.get(2).id();
        bq.fake.faults().rejectRows(row -> id.equals(row.get("id")) && row.containsKey("severity"), "Field severity is required but missing");

        WriteResult result = sink.write(batch(records));

        assertThat(result.outcome(2).kind()).isEqualTo(RecordOutcome.Kind.REJECTED);
        assertThat(result.outcome(2).reason()).startsWith("events: ");
        assertThat(result.outcome(0).delivered()).isTrue();
        assertThat(bq.rows("events")).hasSize(3);
    }

    @Test
    void resourceExhaustedIsRetriedWithBackoffInsideOneWrite() throws Exception {
        sink = bq.sink(BigQueryLimits.DEFAULT_APPEND_BYTES);
        List<SinkRecord> records = records(0, 20, recent());
        bq.fake.faults().failNext(Status.Code.RESOURCE_EXHAUSTED, 3);

        WriteResult result = sink.write(batch(records));

        assertThat(result.isAllDelivered()).as("%s", result).isTrue();
        assertThat(bq.fake.failedRequests()).isEqualTo(3);
        assertThat(ids(bq.rows("events_raw"))).hasSize(20).doesNotHaveDuplicates();
        assertThat(ids(bq.rows("events"))).hasSize(20).doesNotHaveDuplicates();
    }

    @Test
    void anUnavailableWindowFailsTheWriteTransientlyAndNothingIsDeliveredUntilTheAppendSucceeds() throws Exception {
        // The client reconnects and resends for up to max-duration: a window longer than that reaches the runtime.
        sink = bq.sink(bq.config(BigQueryLimits.DEFAULT_APPEND_BYTES, 2, Duration.ofMillis(500)));
        List<SinkRecord> records = records(0, 20, recent());
        // The window ends between two writes, never inside one: a window ending between the two
        // tables' appends of one write would leave one table written by a write that failed.
        bq.fake.faults().failFor(Status.Code.UNAVAILABLE, Duration.ofMinutes(5));

        int failures = 0;
        WriteResult result = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (result == null && System.nanoTime() < deadline) {
            try {
                result = sink.write(batch(records));
                assertThat(failures).as("first write returned %s", result).isPositive();
            } catch (Exception e) {
                assertThat(sink.isTransient(e)).as("%s", e).isTrue();
                // Not delivered, and indeed not written: the write never claims what the server didn't store.
                assertThat(bq.rows("events_raw")).isEmpty();
                assertThat(bq.rows("events")).isEmpty();
                failures++;
                if (failures == 3) {
                    bq.fake.faults().clear();
                }
                Thread.sleep(200);
            }
        }
        assertThat(failures).isPositive();
        assertThat(result).isNotNull();
        assertThat(result.isAllDelivered()).isTrue();
        assertThat(ids(bq.rows("events_raw"))).hasSize(20).doesNotHaveDuplicates();
        assertThat(ids(bq.rows("events"))).hasSize(20).doesNotHaveDuplicates();
        assertThat(bq.fake.connections()).isGreaterThan(1);
    }

    @Test
    void aShortUnavailableBlipIsAbsorbedByTheClientsReconnect() throws Exception {
        sink = bq.sink(BigQueryLimits.DEFAULT_APPEND_BYTES);
        List<SinkRecord> records = records(0, 20, recent());
        sink.write(batch(records(1000, 1, recent())));
        bq.fake.reset();
        bq.fake.faults().failNext(Status.Code.UNAVAILABLE, 1);

        WriteResult result = sink.write(batch(records));

        assertThat(result.isAllDelivered()).isTrue();
        assertThat(bq.fake.failedRequests()).isEqualTo(1);
        assertThat(ids(bq.rows("events_raw"))).hasSize(20);
        assertThat(ids(bq.rows("events"))).hasSize(20);
    }

    @Test
    void batchesLargerThanTheAppendLimitAreSplitBelowIt() throws Exception {
        int limit = 1_000_000;
        sink = bq.sink(limit);
        List<SinkRecord> records = new ArrayList<>();
        for (SinkRecord r : records(0, 120, recent())) {
            Envelope e = r.envelope();
            // ~30 KB of raw per event: ~3.6 MB in events, ~7 MB in events_raw (raw is also in payload).
            String raw = e.raw() + " " + "x".repeat(30_000);
            records.add(new SinkRecord(new Envelope(e.id(), e.schema(), e.time(), e.timeSource(), e.receivedAt(), e.host(), e.source(),
                    e.sourcetype(), e.index(), e.severity(), raw, e.fields(), e.parseError()), r.message()));
        }

        WriteResult result = sink.write(batch(records));

        assertThat(result.isAllDelivered()).isTrue();
        assertThat(bq.fake.requestSizes()).hasSizeGreaterThanOrEqualTo(8).allSatisfy(s -> assertThat(s).isLessThan(limit));
        assertThat(ids(bq.rows("events_raw"))).hasSize(120).doesNotHaveDuplicates();
        assertThat(ids(bq.rows("events"))).hasSize(120).doesNotHaveDuplicates();
    }

    @Test
    void theDefaultLimitKeepsEveryRequestUnderTheServers10MB() throws Exception {
        sink = bq.sink(BigQueryLimits.DEFAULT_APPEND_BYTES);
        List<SinkRecord> records = new ArrayList<>();
        for (SinkRecord r : records(0, 40, recent())) {
            Envelope e = r.envelope();
            String raw = "y".repeat(600_000);
            records.add(new SinkRecord(new Envelope(e.id(), e.schema(), e.time(), e.timeSource(), e.receivedAt(), e.host(), e.source(),
                    e.sourcetype(), e.index(), e.severity(), raw, e.fields(), e.parseError()), r.message()));
        }

        assertThat(sink.write(batch(records)).isAllDelivered()).isTrue();

        assertThat(bq.fake.failedRequests()).isZero();
        assertThat(bq.fake.requestSizes()).allSatisfy(s -> assertThat(s).isLessThan(BigQueryLimits.MAX_APPEND_REQUEST_BYTES));
        assertThat(bq.rows("events_raw")).hasSize(40);
    }

    @Test
    void aRowThatCannotFitAnyRequestIsRejectedAlone() throws Exception {
        sink = bq.sink(200_000);
        List<SinkRecord> records = records(0, 3, recent());
        Envelope e = records.get(1).envelope();
        records.set(1, new SinkRecord(new Envelope(e.id(), e.schema(), e.time(), e.timeSource(), e.receivedAt(), e.host(), e.source(),
                e.sourcetype(), e.index(), e.severity(), "z".repeat(300_000), e.fields(), e.parseError()), records.get(1).message()));

        WriteResult result = sink.write(batch(records));

        assertThat(result.outcome(1).kind()).isEqualTo(RecordOutcome.Kind.REJECTED);
        assertThat(result.outcome(1).reason()).contains("exceeds the append limit");
        assertThat(result.outcome(0).delivered()).isTrue();
        assertThat(result.outcome(2).delivered()).isTrue();
        assertThat(ids(bq.rows("events_raw"))).hasSize(2);
    }

    @Test
    void aMissingColumnMakesReadinessFailWithTheDdlAndStallsWritesInsteadOfRejecting() throws Exception {
        bq.createTable(AnalyticsSchema.TYPED, BigQueryFixture.without("replay"));
        sink = bq.sink(BigQueryLimits.DEFAULT_APPEND_BYTES);

        assertThatThrownBy(sink::checkReady).isInstanceOf(AnalyticsSchemaException.class)
                .hasMessageContaining("events.replay is missing")
                .hasMessageContaining("ALTER TABLE `test-project.analytics.events` ADD COLUMN `replay` STRING");

        List<SinkRecord> records = records(0, 5, recent());
        assertThatThrownBy(() -> sink.write(batch(records)))
                .isInstanceOf(AnalyticsSchemaException.class)
                .satisfies(e -> assertThat(sink.isTransient(e)).isTrue());
        assertThat(bq.rows("events")).isEmpty();

        // The operator runs the DDL: the same batch then goes through.
        bq.createTable(AnalyticsSchema.TYPED, f -> f);
        sink.checkReady();
        WriteResult result = sink.write(batch(records));
        assertThat(result.isAllDelivered()).isTrue();
        assertThat(bq.rows("events")).hasSize(5);
    }

    @Test
    void aMistypedColumnMakesReadinessFailWithRecreateDdl() throws Exception {
        bq.createTable(AnalyticsSchema.RAW, BigQueryFixture.retyped("payload", "STRING"));
        sink = bq.sink(BigQueryLimits.DEFAULT_APPEND_BYTES);

        assertThatThrownBy(sink::checkReady).isInstanceOf(AnalyticsSchemaException.class)
                .hasMessageContaining("events_raw.payload is STRING, expected JSON")
                .hasMessageContaining("DROP TABLE `test-project.analytics.events_raw`")
                .hasMessageContaining("PARTITION BY DATE(`loaded_at`)");
    }

    @Test
    void redeliveredRecordsAreAppendedAgainAndDedupedOnRead() throws Exception {
        sink = bq.sink(BigQueryLimits.DEFAULT_APPEND_BYTES);
        List<SinkRecord> records = records(0, 10, recent());
        sink.write(batch(records));
        sink.write(batch(records));
        Map<Object, Integer> counts = new HashMap<>();
        bq.rows("events").forEach(r -> counts.merge(r.get("id"), 1, Integer::sum));
        assertThat(counts).hasSize(10).allSatisfy((id, n) -> assertThat(n).isEqualTo(2));
    }
}
