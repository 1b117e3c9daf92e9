package dev.fanout.analytics.bigquery;

import com.google.cloud.bigquery.BigQuery;
import com.google.cloud.bigquery.storage.v1.BigQueryWriteClient;
import com.google.cloud.bigquery.storage.v1.StreamWriter;
import com.google.cloud.bigquery.storage.v1.TableName;
import com.google.protobuf.ByteString;
import dev.fanout.analytics.AnalyticsConfig;
import dev.fanout.analytics.AnalyticsRetryClassifier;
import dev.fanout.analytics.AnalyticsSchemaException;
import dev.fanout.analytics.AnalyticsSink;
import dev.fanout.analytics.row.AnalyticsRow;
import dev.fanout.analytics.schema.AnalyticsSchema;
import dev.fanout.analytics.schema.TableDef;
import dev.fanout.events.port.RecordOutcome;
import dev.fanout.events.port.SinkRecord;
import dev.fanout.events.port.WriteBatch;
import dev.fanout.events.port.WriteResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jboss.logging.Logger;

/**
 * The analytics sink on BigQuery: every record becomes a row of {@code events_raw} and, unless its
 * event time is older than {@code events}' partition expiry, a row of {@code events}; both tables
 * are appended for every batch, through the Storage Write API default stream (committed on
 * success, at-least-once: {@code events_dedup} removes duplicates on read).
 *
 * <p>A record is delivered when every table it belongs to confirmed it; rejected (with the
 * server's message) when a table refused it; retry when a table failed transiently. When nothing
 * of a batch could be written for a transient reason, {@link #write} throws instead, so the runtime
 * backs off and retries the batch as a whole.
 */
public final class BigQueryAnalyticsSink implements AnalyticsSink {

    private static final Logger LOG = Logger.getLogger(BigQueryAnalyticsSink.class);

    private final String project;
    private final String dataset;
    private final BigQueryWriteClient writeClient;
    private final BigQuerySchemaCheck schemaCheck;
    private final Duration schemaCacheTtl;
    private final Clock clock;
    private final ProtoRowEncoder rawEncoder = new ProtoRowEncoder(AnalyticsSchema.RAW);
    private final ProtoRowEncoder typedEncoder = new ProtoRowEncoder(AnalyticsSchema.TYPED);
    private final BigQueryTableAppender raw;
    private final BigQueryTableAppender typed;

    private volatile SchemaVerdict schemaVerdict;

    private record SchemaVerdict(AnalyticsSchemaException problem, long atNanos) {}

    public BigQueryAnalyticsSink(String project, String dataset, BigQueryWriteClient writeClient, BigQuery rest,
            AnalyticsConfig.BigQuery config, Clock clock) {
        this.project = Objects.requireNonNull(project, "project");
        this.dataset = Objects.requireNonNull(dataset, "dataset");
        this.writeClient = Objects.requireNonNull(writeClient, "writeClient");
        this.schemaCheck = new BigQuerySchemaCheck(rest, project, dataset);
        this.schemaCacheTtl = config.schemaCheck().cacheTtl();
        this.clock = Objects.requireNonNull(clock, "clock");
        this.raw = new BigQueryTableAppender(AnalyticsSchema.EVENTS_RAW, () -> newWriter(AnalyticsSchema.RAW, rawEncoder, config),
                this::checkSchemaNow, config.maxAppendBytes());
        this.typed = new BigQueryTableAppender(AnalyticsSchema.EVENTS, () -> newWriter(AnalyticsSchema.TYPED, typedEncoder, config),
                this::checkSchemaNow, config.maxAppendBytes());
    }

    private StreamWriter newWriter(TableDef table, ProtoRowEncoder encoder, AnalyticsConfig.BigQuery c) throws Exception {
        StreamWriter.Builder b = StreamWriter.newBuilder(defaultStream(table.name()), writeClient)
                .setWriterSchema(encoder.schema())
                .setEnableConnectionPool(c.connectionPool())
                .setRetrySettings(BigQueryClients.appendRetries(c.retry()))
                .setMaxRetryDuration(c.retry().maxDuration())
                .setTraceId("fanout:analytics");
        c.location().ifPresent(b::setLocation);
        return b.build();
    }

    /** {@code projects/P/datasets/D/tables/T/streams/_default}. */
    public String defaultStream(String table) {
        return TableName.of(project, dataset, table) + "/streams/_default";
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public WriteResult write(WriteBatch batch) throws Exception {
        List<SinkRecord> records = batch.records();
        Instant now = clock.instant();
        Instant oldestTyped = now.minus(Duration.ofDays(AnalyticsSchema.EVENTS_EXPIRATION_DAYS));
        List<ByteString> rawRows = new ArrayList<>(records.size());
        List<ByteString> typedRows = new ArrayList<>(records.size());
        int[] typedOf = new int[records.size()];
        AnalyticsRow row = null;
        for (int i = 0; i < records.size(); i++) {
            row = new AnalyticsRow(records.get(i), now, row);
            rawRows.add(rawEncoder.encode(row));
            // Its events partition would expire at once: such events live in events_raw only.
            if (records.get(i).envelope().time().isBefore(oldestTyped)) {
                typedOf[i] = -1;
            } else {
                typedOf[i] = typedRows.size();
                typedRows.add(typedEncoder.encode(row));
            }
        }
        BigQueryTableAppender.Pending rawPending = raw.begin(rawRows);
        BigQueryTableAppender.Pending typedPending = typed.begin(typedRows);
        BigQueryTableAppender.Result rawResult = raw.finish(rawPending, batch.deadlineNanos());
        BigQueryTableAppender.Result typedResult = typed.finish(typedPending, batch.deadlineNanos());

        WriteResult.Builder result = null;
        int retries = 0;
        for (int i = 0; i < records.size(); i++) {
            RecordOutcome o = combine(rawResult.outcomes()[i], typedOf[i] < 0 ? null : typedResult.outcomes()[typedOf[i]]);
            if (o != null) {
                if (result == null) {
                    result = WriteResult.builder(records.size());
                }
                result.set(i, o);
                if (o.kind() == RecordOutcome.Kind.RETRY) {
                    retries++;
                }
            }
        }
        if (retries == records.size() && retries > 0) {
            // Nothing was written: let the runtime back off and retry the batch as a whole.
            Throwable t = rawResult.lastTransient() != null ? rawResult.lastTransient() : typedResult.lastTransient();
            throw t instanceof Exception e ? e : new Exception(t);
        }
        return result == null ? WriteResult.allDelivered() : result.build();
    }

    /** Rejected wins over retry, retry over delivered (null). */
    private static RecordOutcome combine(RecordOutcome a, RecordOutcome b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        if (a.kind() == RecordOutcome.Kind.REJECTED) {
            return a;
        }
        return b.kind() == RecordOutcome.Kind.REJECTED ? b : a;
    }

    @Override
    public boolean isTransient(Throwable failure) {
        return AnalyticsRetryClassifier.isTransient(failure);
    }

    /** The live schema check (cached for {@code schema-check.cache-ttl}); throws with the DDL to run. */
    @Override
    public void checkReady() throws AnalyticsSchemaException {
        SchemaVerdict v = schemaVerdict;
        if (v == null || System.nanoTime() - v.atNanos > schemaCacheTtl.toNanos()) {
            v = verdict();
        }
        if (v.problem != null) {
            throw v.problem;
        }
    }

    /** Uncached check, after the server refused an append as a whole. */
    void checkSchemaNow() throws AnalyticsSchemaException {
        SchemaVerdict v = verdict();
        if (v.problem != null) {
            throw v.problem;
        }
    }

    private SchemaVerdict verdict() {
        AnalyticsSchemaException problem = null;
        try {
            schemaCheck.check();
        } catch (AnalyticsSchemaException e) {
            problem = e;
            LOG.error(e.getMessage());
        }
        SchemaVerdict v = new SchemaVerdict(problem, System.nanoTime());
        schemaVerdict = v;
        return v;
    }

    /** Requests sent to each table so far (tests, benchmarks). */
    public long appendRequests() {
        return raw.requests() + typed.requests();
    }

    /** Row bytes sent to each table so far (benchmarks: bytes per event against the 2 TiB/month free tier). */
    public long appendBytes() {
        return raw.requestBytes() + typed.requestBytes();
    }

    @Override
    public String describe() {
        return "BigQuery " + project + "." + dataset;
    }

    @Override
    public void close() {
        raw.close();
        typed.close();
        writeClient.close();
    }
}
