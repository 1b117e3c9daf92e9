package dev.fanout.analytics.duckdb;

import dev.fanout.analytics.AnalyticsTestRecords;
import dev.fanout.analytics.bench.DuckDbWriteVariants;
import dev.fanout.analytics.row.AnalyticsRow;
import dev.fanout.events.EnvelopeCodec;
import dev.fanout.events.port.MessageMeta;
import dev.fanout.events.port.SinkRecord;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * Timing harness (not a test): ways of getting the same already decoded records into
 * {@link DuckDbLayout#STORE}, each in a fresh JVM and a fresh file, batches as the local pipeline
 * writes them under a replay backlog (8,000 events, 2,000 per message). It asks whether handing
 * DuckDB the events' JSON lines (its own parser and an {@code INSERT … SELECT}) would beat the
 * sink's Appender, and whether moving checkpoints off the writer's thread would shorten its work.
 *
 * <ul>
 *   <li>{@code sink}: {@link DuckDbAnalyticsSink#write} as the pipeline runs it;
 *   <li>{@code read-json}: each line spliced with its message's ordinal, the batch written to a file
 *       in {@code /dev/shm}, {@code read_json} of it joined with a temp table of the batch's messages
 *       (what a sink taking lines would have to do);
 *   <li>{@code read-json-const}: the same lines as they are, the per-message columns constants: a
 *       lower bound, not a correct write (every row gets the same message);
 *   <li>{@code appender}: the sink's Appender code on a plain connection (the baseline of the next);
 *   <li>{@code checkpoint-thread}: {@code appender} with the automatic checkpoint off and a second
 *       connection running {@code CHECKPOINT} whenever the WAL passes 200 MB.
 * </ul>
 * The records (and for the JSON modes their lines, {@link EnvelopeCodec#toJson}) are built before
 * the clock starts; the decode of a message is not in any of the numbers. Each run counts its rows
 * back. Printed: CPU-seconds of the whole process per million events (user + system: DuckDB, JIT
 * and GC included), wall time, the writing thread's CPU, the background checkpoints, and CPU by thread.
 *
 * <pre>
 * java -cp … dev.fanout.analytics.duckdb.DuckDbInsertPaths read-json 100     # mode, batches (of 8,000) after 5 warm-up batches
 * </pre>
 */
public final class DuckDbInsertPaths {

    private static final int BATCH = 8_000;
    private static final int PER_MESSAGE = 2_000;
    private static final int WARM = 5;
    private static final Path CHUNK = Path.of("/dev/shm/fanout-insert-paths.ndjson");

    /** The envelope's columns as {@code read_json} should type them. */
    private static final String ENVELOPE_COLUMNS = "\"time\":'TIMESTAMPTZ', received_at:'TIMESTAMPTZ', host:'VARCHAR', "
            + "source:'VARCHAR', sourcetype:'VARCHAR', \"index\":'VARCHAR', severity:'VARCHAR', raw:'VARCHAR', fields:'JSON', "
            + "parse_error:'VARCHAR', schema:'INTEGER', time_source:'VARCHAR'";

    private static final String READ_JSON = "INSERT INTO " + DuckDbLayout.STORE + " SELECT e._i, e.\"time\", e.received_at, now(), "
            + "g.message_id, g.published_at, g.replay, g.attributes, e.host, e.source, e.sourcetype, e.\"index\", lower(e.severity), "
            + "e.raw, coalesce(e.fields, '{}'), e.parse_error, e.schema, coalesce(e.time_source, 'event') FROM read_json('" + CHUNK
            + "', format='newline_delimited', columns={_m:'INTEGER', _i:'VARCHAR', " + ENVELOPE_COLUMNS + "}) e "
            + "JOIN insert_paths_messages g ON g.m = e._m";

    private static final String READ_JSON_CONST = "INSERT INTO " + DuckDbLayout.STORE + " SELECT id, \"time\", received_at, now(), "
            + "'msg-1', now(), 'run-1', '{\"a\":\"b\"}'::JSON, host, source, sourcetype, \"index\", severity, raw, fields, parse_error, "
            + "schema, time_source FROM read_json('" + CHUNK + "', format='newline_delimited', columns={id:'VARCHAR', "
            + ENVELOPE_COLUMNS + "})";

    private DuckDbInsertPaths() {}

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        int batches = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        Instant start = Instant.now().minusSeconds(3600);
        List<List<SinkRecord>> data = new ArrayList<>();
        List<List<byte[]>> lines = new ArrayList<>();
        for (int b = 0; b < batches + WARM; b++) {
            List<SinkRecord> r = AnalyticsTestRecords.records(b * BATCH, BATCH, start.plusSeconds(b), PER_MESSAGE);
            data.add(r);
            lines.add(mode.startsWith("read-json") ? r.stream().map(x -> EnvelopeCodec.toJson(x.envelope())).toList() : List.of());
        }
        Path dir = Files.createTempDirectory("duckdb-insert-paths");
        DuckDbAnalyticsStore store = null;
        DuckDBConnection c;
        Thread checkpointer = null;
        long[] checkpoints = new long[2];
        if (mode.equals("sink")) {
            store = DuckDbAnalyticsStore.open(dir.resolve("analytics.duckdb"), "256MB", 1, "256MB");
            c = store.writeConnection();
        } else {
            // As the store opens it, plus the one directory the JSON modes read their batch from.
            Properties p = new Properties();
            p.setProperty("memory_limit", "256MB");
            p.setProperty("threads", "1");
            p.setProperty("checkpoint_threshold", mode.equals("checkpoint-thread") ? "64GB" : "256MB");
            p.setProperty("enable_external_access", "false");
            p.setProperty("allowed_directories", "['" + CHUNK.getParent() + "/']");
            c = DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("analytics.duckdb"), p).unwrap(DuckDBConnection.class);
            try (Statement s = c.createStatement()) {
                s.execute(DuckDbLayout.createStore());
                s.execute("CREATE TEMP TABLE insert_paths_messages (m INTEGER, message_id VARCHAR, published_at TIMESTAMPTZ, "
                        + "replay VARCHAR, attributes JSON)");
            }
            if (mode.equals("checkpoint-thread")) {
                checkpointer = checkpointer(c.duplicate(), dir.resolve("analytics.duckdb.wal"), checkpoints);
            }
        }
        DuckDbAnalyticsSink sink = store == null ? null : new DuckDbAnalyticsSink(store, Clock.systemUTC());
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        var threads = ManagementFactory.getThreadMXBean();
        long cpu0 = 0, thread0 = 0, t0 = 0;
        Map<String, Long> tasks0 = Map.of();
        for (int b = 0; b < data.size(); b++) {
            if (b == WARM) {
                tasks0 = DuckDbWriteVariants.taskCpu();
                cpu0 = os.getProcessCpuTime();
                thread0 = threads.getCurrentThreadCpuTime();
                t0 = System.nanoTime();
            }
            List<SinkRecord> recs = data.get(b);
            List<byte[]> batchLines = lines.get(b);
            switch (mode) {
                case "sink" -> sink.write(AnalyticsTestRecords.batch(recs));
                case "appender", "checkpoint-thread" -> DuckDbWriteVariants.inTransaction(c, () -> append(c, recs));
                case "read-json" -> DuckDbWriteVariants.inTransaction(c, () -> readJson(c, recs, batchLines));
                case "read-json-const" -> DuckDbWriteVariants.inTransaction(c, () -> {
                    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(CHUNK), 1 << 20)) {
                        for (byte[] l : batchLines) {
                            out.write(l);
                            out.write('\n');
                        }
                    }
                    try (Statement s = c.createStatement()) {
                        s.execute(READ_JSON_CONST);
                    }
                });
                default -> throw new IllegalArgumentException(mode);
            }
        }
        double writerCpu = (threads.getCurrentThreadCpuTime() - thread0) / 1e9;
        if (checkpointer != null) {
            checkpointer.interrupt();
            checkpointer.join();
        }
        try (Statement s = c.createStatement()) {
            // Compression a mode only postpones is counted, not hidden.
            s.execute("CHECKPOINT");
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
        long events = (long) batches * BATCH;
        long expected = (long) (batches + WARM) * BATCH;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT id) FROM " + DuckDbLayout.STORE)) {
            rs.next();
            if (rs.getLong(1) != expected || rs.getLong(2) != expected) {
                throw new IllegalStateException(rs.getLong(1) + " rows, " + rs.getLong(2) + " distinct ids, expected " + expected);
            }
        }
        System.out.printf(Locale.ROOT, "%-18s %,d events  %.2f CPU-s per million (process)  %.2f s wall  writer thread %.2f CPU-s  "
                + "background checkpoints %d (%.2f s)%n", mode, events, cpu / events * 1e6, wall, writerCpu, checkpoints[0],
                checkpoints[1] / 1e9);
        System.out.println(DuckDbWriteVariants.cpuByThread(tasks0, DuckDbWriteVariants.taskCpu()));
        System.exit(0);
    }

    /** The sink's rows through the Appender. */
    private static void append(DuckDBConnection c, List<SinkRecord> recs) throws SQLException {
        Instant now = Instant.now();
        try (DuckDBAppender a = c.createAppender(DuckDbLayout.STORE)) {
            AnalyticsRow row = null;
            for (SinkRecord r : recs) {
                row = new AnalyticsRow(r, now, row);
                DuckDbAnalyticsSink.appendRow(a, row);
            }
        }
    }

    /** Lines as {@code {"_m":k,"_i":"id",…rest of the envelope}}, then one INSERT joining the batch's messages. */
    private static void readJson(DuckDBConnection c, List<SinkRecord> recs, List<byte[]> lines) throws Exception {
        List<SinkRecord> firsts = new ArrayList<>();
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(CHUNK), 1 << 20)) {
            MessageMeta last = null;
            for (int i = 0; i < recs.size(); i++) {
                SinkRecord r = recs.get(i);
                if (r.message() != last) {
                    last = r.message();
                    firsts.add(r);
                }
                out.write(("{\"_m\":" + (firsts.size() - 1) + ",\"_i\":\"" + r.id() + "\",").getBytes(StandardCharsets.UTF_8));
                byte[] l = lines.get(i);
                out.write(l, 1, l.length - 1);
                out.write('\n');
            }
        }
        try (DuckDBAppender a = c.createAppender("temp", "main", "insert_paths_messages")) {
            for (int k = 0; k < firsts.size(); k++) {
                MessageMeta m = firsts.get(k).message();
                a.beginRow();
                a.append(k);
                a.append(m.messageId());
                a.appendEpochMicros(m.publishTime().getEpochSecond() * 1_000_000L + m.publishTime().getNano() / 1_000);
                String replay = m.replay().orElse(null);
                if (replay == null) {
                    a.appendNull();
                } else {
                    a.append(replay);
                }
                a.append(new AnalyticsRow(firsts.get(k), Instant.now()).attributesJson());
                a.endRow();
            }
        }
        try (Statement s = c.createStatement()) {
            s.execute(READ_JSON);
            s.execute("DELETE FROM insert_paths_messages");
        }
    }

    /** A second connection checkpointing whenever the WAL passes 200 MB; {@code out}: count, nanoseconds. */
    private static Thread checkpointer(DuckDBConnection c, Path wal, long[] out) {
        Thread t = new Thread(() -> {
            try (Statement s = c.createStatement()) {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(20);
                    if (Files.exists(wal) && Files.size(wal) > 200L << 20) {
                        long t0 = System.nanoTime();
                        s.execute("CHECKPOINT");
                        out[0]++;
                        out[1] += System.nanoTime() - t0;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "checkpointer");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
