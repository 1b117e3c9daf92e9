package dev.fanout.analytics.bench;

import com.google.api.core.ApiFuture;
import com.google.cloud.bigquery.storage.v1.BigQueryWriteClient;
import com.google.cloud.bigquery.storage.v1.JsonStreamWriter;
import dev.fanout.analytics.AnalyticsConfig;
import dev.fanout.analytics.AnalyticsTestRecords;
import dev.fanout.analytics.bigquery.BigQueryAnalyticsSink;
import dev.fanout.analytics.bigquery.BigQueryClients;
import dev.fanout.analytics.bigquery.BigQueryFixture;
import dev.fanout.analytics.bigquery.BigQueryLimits;
import dev.fanout.analytics.bigquery.ProtoRowEncoder;
import dev.fanout.analytics.bigquery.StorageSchemas;
import dev.fanout.analytics.duckdb.DuckDbAnalyticsSink;
import dev.fanout.analytics.duckdb.DuckDbAnalyticsStore;
import dev.fanout.analytics.row.AnalyticsRow;
import dev.fanout.analytics.row.RowField;
import dev.fanout.analytics.schema.AnalyticsSchema;
import dev.fanout.analytics.schema.TableDef;
import dev.fanout.events.port.SinkRecord;
import dev.fanout.events.port.WriteResult;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.json.JSONArray;
import org.json.JSONObject;

/**
 * Timing harness (not a test, not JMH): rows per CPU-second of the analytics writers on ~500-byte
 * nginx envelopes — DuckDB (Appender, both tables, one transaction per batch), and the Storage
 * Write API into the loopback fake with protobuf rows ({@code StreamWriter}, the production path)
 * and with {@code JsonStreamWriter} (the alternative the issue asks to measure). CPU is the whole
 * process's (user + system), so the BigQuery rows include the in-process fake decoding every row:
 * an upper bound of the writer's own cost.
 *
 * <pre>
 * ./mvnw -q -pl analytics-writer -am test-compile -o
 * ./mvnw -q -pl analytics-writer dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test -o
 * java -cp analytics-writer/target/test-classes:analytics-writer/target/classes:$(cat /tmp/cp.txt) \
 *     dev.fanout.analytics.bench.AnalyticsWriteMeasure [duckdb|proto|json|all] [batchSize] [batches]
 * </pre>
 */
public final class AnalyticsWriteMeasure {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    public static void main(String[] args) throws Exception {
        String what = args.length > 0 ? args[0] : "all";
        int batchSize = args.length > 1 ? Integer.parseInt(args[1]) : 5_000;
        int batches = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        Instant start = Instant.now().minusSeconds(3600);
        List<List<SinkRecord>> data = new ArrayList<>();
        for (int b = 0; b < batches + 3; b++) {
            data.add(AnalyticsTestRecords.records(b * batchSize, batchSize, start.plusSeconds(b)));
        }
        System.out.printf(Locale.ROOT, "%d batches of %d events (+3 warm-up), avg envelope %d bytes%n", batches, batchSize,
                new AnalyticsRow(data.get(0).get(0), Instant.now()).payloadJson().length);
        if (what.equals("all") || what.equals("duckdb")) {
            duckdb(data);
        }
        if (what.equals("all") || what.equals("proto")) {
            proto(data);
        }
        if (what.equals("all") || what.equals("json")) {
            json(data);
        }
        System.exit(0);
    }

    private static void duckdb(List<List<SinkRecord>> data) throws Exception {
        Path dir = Files.createTempDirectory("analytics-measure");
        try (DuckDbAnalyticsStore store = DuckDbAnalyticsStore.open(dir.resolve("analytics.duckdb"), "256MB", 1, "256MB")) {
            DuckDbAnalyticsSink sink = new DuckDbAnalyticsSink(store, Clock.systemUTC());
            run("duckdb (Appender, both tables)", data, recs -> sink.write(AnalyticsTestRecords.batch(recs)), () -> Files.size(dir.resolve("analytics.duckdb")));
        }
    }

    private static void proto(List<List<SinkRecord>> data) throws Exception {
        try (BigQueryFixture bq = new BigQueryFixture()) {
            BigQueryAnalyticsSink sink = bq.sink(BigQueryLimits.DEFAULT_APPEND_BYTES);
            run("bigquery StreamWriter + protobuf rows (fake)", data, recs -> sink.write(AnalyticsTestRecords.batch(recs)), sink::appendBytes);
            sink.close();
        }
    }

    private static void json(List<List<SinkRecord>> data) throws Exception {
        try (BigQueryFixture bq = new BigQueryFixture()) {
            AnalyticsConfig.BigQuery c = bq.config(BigQueryLimits.DEFAULT_APPEND_BYTES);
            BigQueryWriteClient client = BigQueryClients.writeClient(c);
            List<JsonStreamWriter> writers = new ArrayList<>();
            for (TableDef t : AnalyticsSchema.TABLES) {
                writers.add(JsonStreamWriter.newBuilder("projects/" + BigQueryFixture.PROJECT + "/datasets/" + BigQueryFixture.DATASET
                                + "/tables/" + t.name() + "/streams/_default", StorageSchemas.of(t), client)
                        .setEnableConnectionPool(true).setLocation(bq.fake.location())
                        .setRetrySettings(BigQueryClients.appendRetries(c.retry())).build());
            }
            long[] bytes = {0};
            run("bigquery JsonStreamWriter (fake)", data, recs -> {
                Instant now = Instant.now();
                List<ApiFuture<?>> futures = new ArrayList<>();
                for (int t = 0; t < AnalyticsSchema.TABLES.size(); t++) {
                    RowField[] fields = RowField.of(AnalyticsSchema.TABLES.get(t));
                    JSONArray rows = new JSONArray();
                    for (SinkRecord r : recs) {
                        AnalyticsRow row = new AnalyticsRow(r, now);
                        JSONObject o = new JSONObject();
                        for (RowField f : fields) {
                            Object v = f.get(row);
                            if (v instanceof Instant i) {
                                o.put(f.column(), ProtoRowEncoder.micros(i));
                            } else if (v instanceof byte[] b) {
                                o.put(f.column(), new String(b, StandardCharsets.UTF_8));
                            } else if (v != null) {
                                o.put(f.column(), v);
                            }
                        }
                        rows.put(o);
                    }
                    bytes[0] += rows.toString().length();
                    futures.add(writers.get(t).append(rows));
                }
                for (ApiFuture<?> f : futures) {
                    f.get();
                }
                return WriteResult.allDelivered();
            }, () -> bytes[0]);
            writers.forEach(JsonStreamWriter::close);
            client.close();
        }
    }

    interface Write {
        WriteResult apply(List<SinkRecord> records) throws Exception;
    }

    interface Bytes {
        long get() throws Exception;
    }

    private static void run(String label, List<List<SinkRecord>> data, Write write, Bytes bytes) throws Exception {
        for (int b = 0; b < 3; b++) {
            check(write.apply(data.get(b)));
        }
        long bytes0 = bytes.get();
        long cpu0 = OS.getProcessCpuTime();
        long thread0 = THREADS.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        long rows = 0;
        for (int b = 3; b < data.size(); b++) {
            check(write.apply(data.get(b)));
            rows += data.get(b).size();
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpu = (OS.getProcessCpuTime() - cpu0) / 1e9;
        double thread = (THREADS.getCurrentThreadCpuTime() - thread0) / 1e9;
        long written = bytes.get() - bytes0;
        System.out.printf(Locale.ROOT, "%-46s %,9.0f rows/CPU-s (process), %,9.0f rows/CPU-s (writer thread), %,8.0f rows/s wall, "
                + "%.0f bytes/event written%n", label, rows / cpu, rows / thread, rows / wall, (double) written / rows);
    }

    private static void check(WriteResult r) {
        if (!r.isAllDelivered()) {
            throw new IllegalStateException("not delivered: " + r);
        }
    }
}
