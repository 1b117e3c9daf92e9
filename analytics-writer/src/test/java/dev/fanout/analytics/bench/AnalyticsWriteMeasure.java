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
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.json.JSONArray;
import org.json.JSONObject;

/**
 * Timing harness (not a test, not JMH): rows per CPU-second of the analytics writers on ~500-byte
 * nginx envelopes, counting the rows of both tables (the events are recent, so each is a row of
 * {@code events_raw} and one of {@code events}) — DuckDB (Appender, one {@code events_store} row per event, one transaction
 * per batch, its checkpoints included: the run ends with one), and the Storage
 * Write API into the loopback fake with protobuf rows ({@code StreamWriter}, the production path)
 * and with {@code JsonStreamWriter} (the alternative the issue asks to measure). CPU is the whole
 * process's (user + system), so the BigQuery rows include the in-process fake decoding every row:
 * an upper bound of the writer's own cost.
 *
 * <pre>
 * ./mvnw -q -pl analytics-writer -am test-compile -o
 * ./mvnw -q -pl analytics-writer dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test -o
 * java -cp analytics-writer/target/test-classes:analytics-writer/target/classes:$(cat /tmp/cp.txt) \
 *     dev.fanout.analytics.bench.AnalyticsWriteMeasure [duckdb|proto|json|all] [batchSize] [batches] [warmUpBatches]
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
        // The JIT compiles the writer for the first ~10 batches; fewer warm-up batches measure C2, not the writer.
        int warmUp = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        Instant start = Instant.now().minusSeconds(3600);
        List<List<SinkRecord>> data = new ArrayList<>();
        for (int b = 0; b < batches + warmUp; b++) {
            data.add(AnalyticsTestRecords.records(b * batchSize, batchSize, start.plusSeconds(b)));
        }
        System.out.printf(Locale.ROOT, "%d batches of %d events (+%d warm-up), avg envelope %d bytes%n", batches, batchSize, warmUp,
                new AnalyticsRow(data.get(0).get(0), Instant.now()).payloadJson().length);
        if (what.equals("all") || what.equals("duckdb")) {
            duckdb(data, warmUp);
        }
        if (what.equals("duckdb-growth")) {
            duckdbGrowth(data, Integer.parseInt(args.length > 4 ? args[4] : "6000000"));
        }
        if (what.equals("all") || what.equals("proto")) {
            proto(data, warmUp);
        }
        if (what.equals("all") || what.equals("json")) {
            json(data, warmUp);
        }
        System.exit(0);
    }

    private static void duckdb(List<List<SinkRecord>> data, int warmUp) throws Exception {
        Path dir = Files.createTempDirectory("analytics-measure");
        try (DuckDbAnalyticsStore store = DuckDbAnalyticsStore.open(dir.resolve("analytics.duckdb"), "256MB", 1, "256MB")) {
            DuckDbAnalyticsSink sink = new DuckDbAnalyticsSink(store, Clock.systemUTC());
            Path file = dir.resolve("analytics.duckdb");
            Path wal = dir.resolve("analytics.duckdb.wal");
            run("duckdb (Appender, events_store)", data, warmUp, recs -> sink.write(AnalyticsTestRecords.batch(recs)), () -> {
                // The file once the WAL is folded in: the checkpoint's CPU is part of the measured window.
                try (Connection c = store.readOnlyConnection(); Statement s = c.createStatement()) {
                    s.execute("COMMIT");
                    s.execute("CHECKPOINT");
                }
                return Files.size(file) + (Files.exists(wal) ? Files.size(wal) : 0);
            });
        }
    }

    /**
     * Writer-thread CPU per million rows as the store grows to {@code rows} (the batches are
     * written again and again): whether an append costs more in a bigger file.
     */
    private static void duckdbGrowth(List<List<SinkRecord>> data, int rows) throws Exception {
        Path dir = Files.createTempDirectory("analytics-growth");
        try (DuckDbAnalyticsStore store = DuckDbAnalyticsStore.open(dir.resolve("analytics.duckdb"), "256MB", 1, "256MB")) {
            DuckDbAnalyticsSink sink = new DuckDbAnalyticsSink(store, Clock.systemUTC());
            long written = 0;
            long mark = THREADS.getCurrentThreadCpuTime();
            long wall = System.nanoTime();
            for (int i = 0; written < rows; i++) {
                List<SinkRecord> recs = data.get(i % data.size());
                sink.write(AnalyticsTestRecords.batch(recs));
                long before = written;
                written += recs.size();
                if (written / 1_000_000 != before / 1_000_000) {
                    long cpu = THREADS.getCurrentThreadCpuTime();
                    long now = System.nanoTime();
                    System.out.printf(Locale.ROOT, "rows %,10d: last million %.2f s writer-thread CPU, %.2f s wall, file %,d bytes%n",
                            written, (cpu - mark) / 1e9, (now - wall) / 1e9, Files.size(dir.resolve("analytics.duckdb")));
                    mark = cpu;
                    wall = now;
                }
            }
        }
    }

    private static void proto(List<List<SinkRecord>> data, int warmUp) throws Exception {
        try (BigQueryFixture bq = new BigQueryFixture()) {
            BigQueryAnalyticsSink sink = bq.sink(BigQueryLimits.DEFAULT_APPEND_BYTES);
            run("bigquery StreamWriter + protobuf rows (fake)", data, warmUp, recs -> sink.write(AnalyticsTestRecords.batch(recs)), sink::appendBytes);
            sink.close();
        }
    }

    private static void json(List<List<SinkRecord>> data, int warmUp) throws Exception {
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
            run("bigquery JsonStreamWriter (fake)", data, warmUp, recs -> {
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

    private static void run(String label, List<List<SinkRecord>> data, int warmUp, Write write, Bytes bytes) throws Exception {
        for (int b = 0; b < warmUp; b++) {
            check(write.apply(data.get(b)));
        }
        long bytes0 = bytes.get();
        long cpu0 = OS.getProcessCpuTime();
        long thread0 = THREADS.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        long events = 0;
        for (int b = warmUp; b < data.size(); b++) {
            check(write.apply(data.get(b)));
            events += data.get(b).size();
        }
        long written = bytes.get() - bytes0;
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpu = (OS.getProcessCpuTime() - cpu0) / 1e9;
        double thread = (THREADS.getCurrentThreadCpuTime() - thread0) / 1e9;
        long rows = events * AnalyticsSchema.TABLES.size();
        System.out.printf(Locale.ROOT, "%-46s %,9.0f rows/CPU-s (process), %,9.0f rows/CPU-s (writer thread), %,8.0f rows/s wall, "
                + "%.0f bytes/event written, load %s%n", label, rows / cpu, rows / thread, rows / wall, (double) written / events,
                Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    }

    private static void check(WriteResult r) {
        if (!r.isAllDelivered()) {
            throw new IllegalStateException("not delivered: " + r);
        }
    }
}
