package dev.fanout.analytics.bench;

import dev.fanout.analytics.AnalyticsTestRecords;
import dev.fanout.analytics.row.AnalyticsRow;
import dev.fanout.analytics.row.RowField;
import dev.fanout.analytics.schema.AnalyticsSchema;
import dev.fanout.analytics.schema.Column;
import dev.fanout.analytics.schema.SqlDdl;
import dev.fanout.analytics.schema.TableDef;
import dev.fanout.events.port.SinkRecord;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * Timing harness (not a test): the DuckDB write strategies the sink was chosen from, side by side
 * on the same envelopes as {@link AnalyticsWriteMeasure} — rows per CPU-second of the process and
 * of the writer thread (rows of both tables), file bytes per event after a final checkpoint, and
 * CPU by thread (JIT and GC included), each variant in a fresh JVM and a fresh file.
 *
 * <ul>
 *   <li>{@code two-string}: an Appender per table, JSON columns appended as {@code String} (the sink before);
 *   <li>{@code two-bytes}: the same with the JSON columns as UTF-8 {@code byte[]} (the sink before the one-table layout);
 *   <li>{@code stage-json} / {@code stage-varchar}: one Appender into a temp table with the union of
 *       the columns (JSON or VARCHAR), then {@code INSERT INTO … SELECT} into both tables ({@code ::JSON}
 *       casts in SQL for the VARCHAR one) and a {@code DELETE} of the staging rows, one transaction;
 *   <li>{@code single}: one table with the union of the columns, {@code payload} left out (the sink now);
 *   <li>{@code split2}: {@code single}, each batch cut in two halves appended and committed at once on
 *       two connections (measured, not adopted: docs/benchmarks.md, replay section);
 *   <li>{@code narrow}: {@code single} without the per-message columns, which go to a table of
 *       messages (one row per message and write) that the views join (measured, not adopted).
 * </ul>
 * {@code -Dper.message=N} groups N events per message (default 10; the replay bench's archive has ~2,000).
 * Settings: DuckDB options ({@code checkpoint_threshold=256MB}, {@code preserve_insertion_order=false}, …)
 * and {@code ckptrows=N}: {@code CHECKPOINT} after the commit that takes {@code events_raw} past a multiple of N
 * (tried with N = 122,880, DuckDB's row group: slower than {@code checkpoint_threshold=256MB} alone).
 *
 * <pre>
 * java -cp … dev.fanout.analytics.bench.DuckDbWriteVariants two-bytes ckptrows=122880,checkpoint_threshold=256MB 5000 60 10
 *     # variant, settings ("" for DuckDB's defaults), batch size, batches, warm-up batches
 * </pre>
 */
public final class DuckDbWriteVariants {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    interface Variant {
        default void setup(DuckDBConnection c) throws SQLException {}

        void write(DuckDBConnection c, List<SinkRecord> recs, Instant now, Instant oldestTyped) throws Exception;
    }

    static final RowField[] RAW = RowField.of(AnalyticsSchema.RAW);
    static final RowField[] TYPED = RowField.of(AnalyticsSchema.TYPED);

    static void appendRow(DuckDBAppender a, RowField[] fields, AnalyticsRow row, boolean bytes) throws SQLException {
        a.beginRow();
        appendVals(a, fields, row, bytes);
        a.endRow();
    }

    public interface Body {
        void run() throws Exception;
    }

    /** As the sink does: an explicit BEGIN, since DuckDB's driver leaves the Appender's flushes outside setAutoCommit(false). */
    public static void inTransaction(DuckDBConnection c, Body body) throws Exception {
        try (java.sql.Statement tx = c.createStatement()) {
            tx.execute("BEGIN TRANSACTION");
            body.run();
            tx.execute("COMMIT");
        }
    }

    static void appendVals(DuckDBAppender a, RowField[] fields, AnalyticsRow row, boolean bytes) throws SQLException {
        for (RowField f : fields) {
            Object v = f.get(row);
            if (v == null) {
                a.appendNull();
            } else if (v instanceof String s) {
                a.append(s);
            } else if (v instanceof Instant t) {
                a.appendEpochMicros(Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000));
            } else if (v instanceof byte[] json) {
                if (bytes) {
                    a.append(json);
                } else {
                    a.append(new String(json, StandardCharsets.UTF_8));
                }
            }
        }
    }

    /** Two appenders, one per table (the original sink). */
    static Variant twoAppenders(boolean bytes) {
        return (c, recs, now, oldest) -> {
            try (DuckDBAppender raw = c.createAppender(AnalyticsSchema.EVENTS_RAW);
                    DuckDBAppender typed = c.createAppender(AnalyticsSchema.EVENTS)) {
                for (SinkRecord r : recs) {
                    AnalyticsRow row = new AnalyticsRow(r, now);
                    appendRow(raw, RAW, row, bytes);
                    if (!r.envelope().time().isBefore(oldest)) {
                        appendRow(typed, TYPED, row, bytes);
                    }
                }
            }
        };
    }

    /** One appender into a temp staging table holding the union of columns, then INSERT … SELECT into both. */
    static Variant staging(boolean varchar) {
        LinkedHashSet<String> names = new LinkedHashSet<>();
        Map<String, Column> cols = new LinkedHashMap<>();
        for (TableDef t : AnalyticsSchema.TABLES) {
            for (Column col : t.columns()) {
                if (names.add(col.name())) {
                    cols.put(col.name(), col);
                }
            }
        }
        RowField[] fields = cols.keySet().stream().map(RowField::forColumn).toArray(RowField[]::new);
        String ddl = "CREATE TEMP TABLE staging (" + String.join(", ", cols.values().stream()
                .map(col -> "\"" + col.name() + "\" " + (varchar && col.type() == dev.fanout.analytics.schema.ColumnType.JSON
                        ? "VARCHAR" : col.type().duckDb())).toList()) + ")";
        String rawSql = insertSelect(AnalyticsSchema.RAW, varchar) + " FROM staging";
        String typedSql = insertSelect(AnalyticsSchema.TYPED, varchar) + " FROM staging WHERE \"time\" >= ?";
        return new Variant() {
            @Override
            public void setup(DuckDBConnection c) throws SQLException {
                try (Statement s = c.createStatement()) {
                    s.execute(ddl);
                }
            }

            @Override
            public void write(DuckDBConnection c, List<SinkRecord> recs, Instant now, Instant oldest) throws Exception {
                try (DuckDBAppender a = c.createAppender("temp", "main", "staging")) {
                    for (SinkRecord r : recs) {
                        appendRow(a, fields, new AnalyticsRow(r, now), true);
                    }
                }
                try (Statement s = c.createStatement(); PreparedStatement p = c.prepareStatement(typedSql)) {
                    s.executeUpdate(rawSql);
                    p.setObject(1, java.time.OffsetDateTime.ofInstant(oldest, java.time.ZoneOffset.UTC));
                    p.executeUpdate();
                    s.execute("DELETE FROM staging");
                }
            }
        };
    }

    /** The union of both tables' columns in table order, {@code payload} left out (views would rebuild it). */
    static Map<String, Column> storeColumns() {
        Map<String, Column> cols = new LinkedHashMap<>();
        for (TableDef t : AnalyticsSchema.TABLES) {
            for (Column col : t.columns()) {
                if (!col.name().equals("payload")) {
                    cols.putIfAbsent(col.name(), col);
                }
            }
        }
        return cols;
    }

    /** One physical table: the union of both tables' columns without {@code payload} (views would rebuild it). */
    static Variant single() {
        Map<String, Column> cols = storeColumns();
        RowField[] fields = cols.keySet().stream().map(RowField::forColumn).toArray(RowField[]::new);
        String ddl = "CREATE TABLE store (" + String.join(", ", cols.values().stream()
                .map(col -> "\"" + col.name() + "\" " + col.type().duckDb()).toList()) + ")";
        return new Variant() {
            @Override
            public void setup(DuckDBConnection c) throws SQLException {
                try (Statement s = c.createStatement()) {
                    s.execute(ddl);
                    s.execute("DROP TABLE events_raw");
                    s.execute("DROP TABLE events");
                    s.execute("CREATE VIEW events_raw AS SELECT * FROM store");
                    s.execute("CREATE VIEW events AS SELECT * FROM store");
                }
            }

            @Override
            public void write(DuckDBConnection c, List<SinkRecord> recs, Instant now, Instant oldest) throws Exception {
                try (DuckDBAppender a = c.createAppender("store")) {
                    for (SinkRecord r : recs) {
                        appendRow(a, fields, new AnalyticsRow(r, now), true);
                    }
                }
            }
        };
    }

    /** {@link #single()}, each batch written in {@code n} slices at once, each on its own connection and transaction. */
    static Variant split(int n) {
        Variant one = single();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(n - 1);
        DuckDBConnection[] others = new DuckDBConnection[n - 1];
        return new Variant() {
            @Override
            public void setup(DuckDBConnection c) throws SQLException {
                one.setup(c);
                for (int i = 0; i < others.length; i++) {
                    others[i] = (DuckDBConnection) c.duplicate();
                }
            }

            @Override
            public void write(DuckDBConnection c, List<SinkRecord> recs, Instant now, Instant oldest) throws Exception {
                int size = recs.size();
                List<java.util.concurrent.Future<?>> fs = new ArrayList<>();
                for (int i = 1; i < n; i++) {
                    DuckDBConnection o = others[i - 1];
                    List<SinkRecord> part = recs.subList(size * i / n, size * (i + 1) / n);
                    fs.add(pool.submit(() -> {
                        inTransaction(o, () -> one.write(o, part, now, oldest));
                        return null;
                    }));
                }
                one.write(c, recs.subList(0, size / n), now, oldest);
                for (var f : fs) {
                    f.get();
                }
            }
        };
    }

    /** {@link #single()} without the per-message columns: those go to a table of messages, one row each. */
    static Variant narrow() {
        java.util.Set<String> perMessage = java.util.Set.of("message_id", "published_at", "replay", "attributes", "loaded_at");
        Map<String, Column> cols = storeColumns();
        List<String> eventCols = cols.keySet().stream().filter(k -> !perMessage.contains(k)).toList();
        List<String> msgCols = cols.keySet().stream().filter(perMessage::contains).toList();
        RowField[] ef = eventCols.stream().map(RowField::forColumn).toArray(RowField[]::new);
        RowField[] mf = msgCols.stream().map(RowField::forColumn).toArray(RowField[]::new);
        String ddl = "CREATE TABLE store (msg BIGINT, " + String.join(", ", eventCols.stream()
                .map(k -> "\"" + k + "\" " + cols.get(k).type().duckDb()).toList()) + ")";
        String mddl = "CREATE TABLE msgs (msg BIGINT, " + String.join(", ", msgCols.stream()
                .map(k -> "\"" + k + "\" " + cols.get(k).type().duckDb()).toList()) + ")";
        long[] seq = {0};
        return new Variant() {
            @Override
            public void setup(DuckDBConnection c) throws SQLException {
                try (Statement s = c.createStatement()) {
                    s.execute(ddl);
                    s.execute(mddl);
                    s.execute("DROP TABLE events_raw");
                    s.execute("DROP TABLE events");
                    s.execute("CREATE VIEW events_raw AS SELECT * FROM store JOIN msgs USING (msg)");
                    s.execute("CREATE VIEW events AS SELECT * FROM store JOIN msgs USING (msg)");
                }
            }

            @Override
            public void write(DuckDBConnection c, List<SinkRecord> recs, Instant now, Instant oldest) throws Exception {
                try (DuckDBAppender a = c.createAppender("store"); DuckDBAppender m = c.createAppender("msgs")) {
                    Object last = null;
                    for (SinkRecord r : recs) {
                        AnalyticsRow row = new AnalyticsRow(r, now);
                        if (r.message() != last) {
                            last = r.message();
                            seq[0]++;
                            m.beginRow();
                            m.append(seq[0]);
                            appendVals(m, mf, row, true);
                            m.endRow();
                        }
                        a.beginRow();
                        a.append(seq[0]);
                        appendVals(a, ef, row, true);
                        a.endRow();
                    }
                }
            }
        };
    }

    static String insertSelect(TableDef t, boolean cast) {
        List<String> sel = new ArrayList<>();
        for (Column col : t.columns()) {
            sel.add("\"" + col.name() + "\"" + (cast && col.type() == dev.fanout.analytics.schema.ColumnType.JSON ? "::JSON" : ""));
        }
        return "INSERT INTO " + t.name() + " SELECT " + String.join(", ", sel);
    }

    public static void main(String[] args) throws Exception {
        String variant = args[0];
        String settings = args.length > 1 ? args[1] : "";
        int batchSize = args.length > 2 ? Integer.parseInt(args[2]) : 5_000;
        int batches = args.length > 3 ? Integer.parseInt(args[3]) : 40;
        int warm = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        Variant v = switch (variant) {
            case "two-string" -> twoAppenders(false);
            case "two-bytes" -> twoAppenders(true);
            case "stage-json" -> staging(false);
            case "stage-varchar" -> staging(true);
            case "single" -> single();
            case "split2" -> split(2);
            case "narrow" -> narrow();
            default -> throw new IllegalArgumentException(variant);
        };
        Instant start = Instant.now().minusSeconds(3600);
        List<List<SinkRecord>> data = new ArrayList<>();
        for (int b = 0; b < batches + warm; b++) {
            data.add(AnalyticsTestRecords.records(b * batchSize, batchSize, start.plusSeconds(b), Integer.getInteger("per.message", 10)));
        }
        Path dir = Files.createTempDirectory("duckdb-variants");
        Path file = dir.resolve("analytics.duckdb");
        Properties p = new Properties();
        p.setProperty("memory_limit", "256MB");
        p.setProperty("threads", "1");
        long ckptRows = 0;
        for (String kv : settings.split(",")) {
            if (kv.startsWith("ckptrows=")) {
                ckptRows = Long.parseLong(kv.substring(9));
            } else if (!kv.isBlank()) {
                String[] x = kv.split("=", 2);
                p.setProperty(x[0], x[1]);
            }
        }
        DuckDBConnection c = DriverManager.getConnection("jdbc:duckdb:" + file, p).unwrap(DuckDBConnection.class);
        try (Statement s = c.createStatement()) {
            for (TableDef t : AnalyticsSchema.TABLES) {
                s.execute(dev.fanout.analytics.duckdb.EarlierLayout.createTable(t));
            }
        }
        v.setup(c);
        long maxMem = 0;
        long maxTemp = 0;
        long expectRaw = 0;
        long expectTyped = 0;
        Map<String, Long> tasks0 = null;
        long cpu0 = 0, thread0 = 0, t0 = 0;
        for (int b = 0; b < data.size(); b++) {
            if (b == warm) {
                tasks0 = taskCpu();
                cpu0 = OS.getProcessCpuTime();
                thread0 = THREADS.getCurrentThreadCpuTime();
                t0 = System.nanoTime();
            }
            Instant now = Instant.now();
            Instant oldest = now.minus(Duration.ofDays(AnalyticsSchema.EVENTS_EXPIRATION_DAYS));
            final int bi = b;
            inTransaction(c, () -> v.write(c, data.get(bi), now, oldest));
            if (ckptRows > 0 && (expectRaw + data.get(b).size()) / ckptRows != expectRaw / ckptRows) {
                try (Statement s = c.createStatement()) {
                    s.execute("CHECKPOINT");
                }
            }
            if (b % 5 == 4) {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                        "SELECT sum(memory_usage_bytes), sum(temporary_storage_bytes) FROM duckdb_memory()")) {
                    rs.next();
                    maxMem = Math.max(maxMem, rs.getLong(1));
                    maxTemp = Math.max(maxTemp, rs.getLong(2));
                }
            }
            expectRaw += data.get(b).size();
            expectTyped += data.get(b).size();
            if (b == warm - 1) {
                try (Statement s = c.createStatement()) {
                    s.execute("CHECKPOINT");
                }
            }
        }
        try (Statement s = c.createStatement()) {
            // Compression work a larger checkpoint threshold defers is counted, not hidden.
            s.execute("CHECKPOINT");
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpu = (OS.getProcessCpuTime() - cpu0) / 1e9;
        double thread = (THREADS.getCurrentThreadCpuTime() - thread0) / 1e9;
        Map<String, Long> tasks1 = taskCpu();
        long events = (long) batches * batchSize;
        long rows = 2 * events;
        long raw = count(c, "SELECT count(*) FROM events_raw");
        long typed = count(c, "SELECT count(*) FROM events");
        if (raw != expectRaw || typed != expectTyped) {
            throw new IllegalStateException("rows " + raw + "/" + typed + ", expected " + expectRaw + "/" + expectTyped);
        }
        long size = Files.size(file) + (Files.exists(dir.resolve("analytics.duckdb.wal")) ? Files.size(dir.resolve("analytics.duckdb.wal")) : 0);
        System.out.printf(Locale.ROOT, "%-14s %-40s %,8.0f rows/CPU-s process  %,8.0f rows/CPU-s writer  %,8.0f rows/s wall  %4.0f B/event  load %s  duckdb mem max %d MB temp %d MB%n",
                variant, settings, rows / cpu, rows / thread, rows / wall, (double) size / (expectRaw), loadAvg(), maxMem >> 20, maxTemp >> 20);
        System.out.println(cpuByThread(tasks0, tasks1) + String.format(Locale.ROOT, " (total %.2f)", cpu));
        c.close();
        System.exit(0);
    }

    static long count(DuckDBConnection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static String peakRss() throws Exception {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmHWM"))
                .map(l -> l.replaceAll("\\s+", " ").substring(7)).findFirst().orElse("?");
    }

    static String loadAvg() throws Exception {
        return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    }

    /**
     * "   CPU-s by thread: name=s …": CPU between two {@link #taskCpu()} readings by thread name
     * (numbered pool threads summed), the largest first.
     */
    public static String cpuByThread(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Double> groups = new TreeMap<>();
        for (Map.Entry<String, Long> e : after.entrySet()) {
            String name = e.getKey().substring(e.getKey().indexOf(' ') + 1).replaceAll("[0-9#]+$", "");
            groups.merge(name, (e.getValue() - before.getOrDefault(e.getKey(), 0L)) / 100.0, Double::sum);
        }
        StringBuilder sb = new StringBuilder("   CPU-s by thread:");
        groups.entrySet().stream().filter(e -> e.getValue() >= 0.05).sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
                .forEach(e -> sb.append(String.format(Locale.ROOT, " %s=%.2f", e.getKey(), e.getValue())));
        return sb.toString();
    }

    /** "tid comm" → utime+stime in clock ticks. */
    public static Map<String, Long> taskCpu() throws Exception {
        Map<String, Long> out = new LinkedHashMap<>();
        try (var s = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : s.toList()) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    out.put(t.getFileName() + " " + comm, Long.parseLong(f[11]) + Long.parseLong(f[12]));
                } catch (java.io.IOException gone) {
                    // thread ended
                }
            }
        }
        return out;
    }
}
