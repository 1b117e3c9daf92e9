package dev.fanout.cli.query;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.cli.ArchiveSource;
import dev.fanout.cli.CliConfig;
import dev.fanout.cli.Console;
import dev.fanout.cli.ExitCodes;
import dev.fanout.cli.FanoutCli;
import dev.fanout.cli.TimeSpec;
import dev.fanout.cli.UsageException;
import dev.fanout.cli.replay.Partitions;
import dev.fanout.events.EnvelopeCodec;
import dev.fanout.store.ArchiveLayout;
import dev.fanout.store.FilesystemObjectStore;
import dev.fanout.store.StoredObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code fanout query}: DuckDB SQL over the archive, or over the local analytics database. */
@Command(name = "query",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Runs DuckDB SQL over the archive: a view 'events' reads the gzip NDJSON objects with hive "
                + "partitions dt and hr (filter on them to read less), columns as in docs/event-contract.md (time and "
                + "received_at are TIMESTAMPTZ, fields is JSON). A local archive is read in place. An S3/R2 archive is "
                + "downloaded first for --from/--to (DuckDB's httpfs extension is not bundled with the JDBC driver and "
                + "cannot be installed offline). With --db, the SQL runs read-only on a DuckDB file instead "
                + "(the analytics database, $FANOUT_DATA_DIR/analytics.duckdb; a running local pipeline holds its lock).",
        footerHeading = "%nExamples:%n",
        footer = {
                "  fanout query \"SELECT host, count(*) AS n FROM events GROUP BY host ORDER BY n DESC\"",
                "  fanout query \"SELECT time, raw FROM events WHERE dt = '2026-11-23' AND severity = 'error' LIMIT 20\"",
                "  fanout query --format csv \"SELECT fields->>'status' AS status, count(*) FROM events GROUP BY 1\"",
                "  fanout query --source s3://fanout-archive/events --from -6h \"SELECT count(*) FROM events\"",
                "  fanout query --db \"SELECT count(*) FROM events\"          # the analytics database",
        })
public final class QueryCommand implements Callable<Integer> {

    @ParentCommand
    FanoutCli parent;

    @Parameters(index = "0", paramLabel = "SQL", description = "The statement; the view 'events' is the archive.")
    String sql;

    @Option(names = "--source", paramLabel = "s3://BUCKET/PREFIX|DIR",
            description = "Archive to query (default: the configured archive, ./data/archive for ./run-local).")
    String source;

    @Option(names = "--from", paramLabel = "TIME", description = "S3/R2 only: first hour to download (required there).")
    String from;

    @Option(names = "--to", defaultValue = "now", paramLabel = "TIME", description = "S3/R2 only: end of the download range. Default: ${DEFAULT-VALUE}.")
    String to;

    @Option(names = "--db", arity = "0..1", fallbackValue = "", paramLabel = "FILE",
            description = "Query this DuckDB file read-only instead (no value: $FANOUT_DATA_DIR/analytics.duckdb).")
    String db;

    @Option(names = "--format", defaultValue = "table", paramLabel = "FORMAT", description = "table, csv or json (one object per row).")
    String format;

    @Option(names = "--max-rows", defaultValue = "10000", paramLabel = "N", description = "Print at most N rows. Default: ${DEFAULT-VALUE}.")
    int maxRows;

    @Override
    public Integer call() throws Exception {
        Map<String, String> env = parent.env();
        Console console = new Console(parent.spec().commandLine().getErr(), Console.defaultFormat(env));
        if (!List.of("table", "csv", "json").contains(format)) {
            throw new UsageException("--format must be table, csv or json");
        }
        PrintWriter out = parent.spec().commandLine().getOut();
        if (db != null) {
            Path file = db.isEmpty() ? Path.of(env.getOrDefault("FANOUT_DATA_DIR", "./data"), "analytics.duckdb") : Path.of(db);
            if (!Files.isRegularFile(file)) {
                throw new UsageException("no DuckDB file " + file.toAbsolutePath());
            }
            Properties p = new Properties();
            p.setProperty("duckdb.read_only", "true");
            try (Connection c = duckdb("jdbc:duckdb:" + file.toAbsolutePath(), p)) {
                return print(c, out, console);
            } catch (SQLException e) {
                if (String.valueOf(e.getMessage()).contains("lock")) {
                    throw new UsageException(file + " is locked by its writer (the running local pipeline): query it through "
                            + "the pipeline, or stop it first", e);
                }
                throw e;
            }
        }
        Path tmp = null;
        try (ArchiveSource src = ArchiveSource.open(source, CliConfig.load(env, Map.of()))) {
            Path root;
            if (src.s3()) {
                if (from == null) {
                    throw new UsageException("querying an S3/R2 archive downloads it first: give --from (and --to)");
                }
                tmp = Files.createTempDirectory("fanout-query-");
                root = tmp;
                download(src, TimeSpec.parse(from, Instant.now()), TimeSpec.parse(to, Instant.now()), tmp, console);
            } else {
                root = ((FilesystemObjectStore) src.store()).root();
            }
            try (Connection c = duckdb("jdbc:duckdb:", new Properties())) {
                try (Statement s = c.createStatement()) {
                    s.execute(eventsView(root, src.prefix()));
                }
                return print(c, out, console);
            }
        } finally {
            if (tmp != null) {
                deleteTree(tmp);
            }
        }
    }

    /** The replay job's image leaves DuckDB out (cli/pom.xml, profile duckdb): say so instead of "No suitable driver". */
    static Connection duckdb(String url, Properties p) throws SQLException {
        try {
            Class.forName("org.duckdb.DuckDBDriver");
        } catch (ClassNotFoundException e) {
            throw new UsageException("this build of the CLI has no DuckDB (the replay job's image leaves it out): run "
                    + "'./fanout query' from a clone instead", e);
        }
        return DriverManager.getConnection(url, p);
    }

    /** The {@code events} view: explicit columns, so optional fields and an empty archive keep one schema. */
    static String eventsView(Path root, String prefix) throws IOException {
        String columns = "{id: 'VARCHAR', schema: 'INTEGER', time: 'TIMESTAMPTZ', time_source: 'VARCHAR', "
                + "received_at: 'TIMESTAMPTZ', host: 'VARCHAR', source: 'VARCHAR', sourcetype: 'VARCHAR', index: 'VARCHAR', "
                + "severity: 'VARCHAR', raw: 'VARCHAR', fields: 'JSON', parse_error: 'VARCHAR'}";
        Path events = root.resolve(prefix);
        boolean any;
        try (Stream<Path> files = Files.isDirectory(events) ? Files.walk(events) : Stream.empty()) {
            any = files.anyMatch(p -> p.getFileName().toString().endsWith(ArchiveLayout.EVENTS_SUFFIX));
        }
        if (!any) {
            return "CREATE VIEW events AS SELECT * FROM (SELECT NULL::VARCHAR AS id, NULL::INTEGER AS schema, "
                    + "NULL::TIMESTAMPTZ AS time, NULL::VARCHAR AS time_source, NULL::TIMESTAMPTZ AS received_at, "
                    + "NULL::VARCHAR AS host, NULL::VARCHAR AS source, NULL::VARCHAR AS sourcetype, NULL::VARCHAR AS index, "
                    + "NULL::VARCHAR AS severity, NULL::VARCHAR AS raw, NULL::JSON AS fields, NULL::VARCHAR AS parse_error, "
                    + "NULL::VARCHAR AS dt, NULL::VARCHAR AS hr) WHERE false";
        }
        String glob = events.toAbsolutePath() + "/dt=*/hr=*/*" + ArchiveLayout.EVENTS_SUFFIX;
        return "CREATE VIEW events AS SELECT * FROM read_json('" + glob.replace("'", "''") + "', "
                + "format = 'newline_delimited', compression = 'gzip', hive_partitioning = true, "
                + "hive_types = {'dt': VARCHAR, 'hr': VARCHAR}, columns = " + columns + ")";
    }

    private static void download(ArchiveSource src, Instant start, Instant end, Path dir, Console console) throws Exception {
        FilesystemObjectStore local = new FilesystemObjectStore(dir);
        long objects = 0;
        long bytes = 0;
        for (Instant h : Partitions.hours(start, end)) {
            for (String key : src.store().list(src.partitionPrefix(ArchiveLayout.partition(h)))) {
                if (!key.endsWith(ArchiveLayout.EVENTS_SUFFIX)) {
                    continue;
                }
                StoredObject o = src.store().get(key).orElse(null);
                if (o != null) {
                    local.putIfAbsent(key, o.body(), Map.of(), null, null);
                    objects++;
                    bytes += o.body().length;
                }
            }
        }
        console.info(String.format(Locale.ROOT, "downloaded %d objects (%,d bytes) from %s for %s .. %s",
                objects, bytes, src.describe(), start, end));
    }

    private int print(Connection c, PrintWriter out, Console console) throws SQLException {
        try (Statement s = c.createStatement()) {
            if (!s.execute(sql)) {
                console.info("ok (" + s.getUpdateCount() + " rows affected)");
                return ExitCodes.OK;
            }
            try (ResultSet rs = s.getResultSet()) {
                ResultSetMetaData md = rs.getMetaData();
                int n = md.getColumnCount();
                List<String> names = new ArrayList<>(n);
                for (int i = 1; i <= n; i++) {
                    names.add(md.getColumnLabel(i));
                }
                List<String[]> rows = new ArrayList<>();
                boolean truncated = false;
                while (rs.next()) {
                    if (rows.size() >= maxRows) {
                        truncated = true;
                        break;
                    }
                    String[] row = new String[n];
                    for (int i = 1; i <= n; i++) {
                        Object v = rs.getObject(i);
                        row[i - 1] = v == null ? null : v.toString();
                    }
                    rows.add(row);
                }
                switch (format) {
                    case "csv" -> csv(out, names, rows);
                    case "json" -> json(out, names, rows);
                    default -> table(out, names, rows);
                }
                out.flush();
                if (truncated) {
                    console.warn("output stopped at --max-rows " + maxRows);
                }
            }
        }
        return ExitCodes.OK;
    }

    private static void table(PrintWriter out, List<String> names, List<String[]> rows) {
        int n = names.size();
        int[] w = new int[n];
        for (int i = 0; i < n; i++) {
            w[i] = Math.min(60, names.get(i).length());
        }
        for (String[] r : rows) {
            for (int i = 0; i < n; i++) {
                w[i] = Math.min(60, Math.max(w[i], cell(r[i]).length()));
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : " | ").append(pad(names.get(i), w[i]));
        }
        out.println(sb.toString().stripTrailing());
        sb.setLength(0);
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : "-+-").append("-".repeat(w[i]));
        }
        out.println(sb);
        for (String[] r : rows) {
            sb.setLength(0);
            for (int i = 0; i < n; i++) {
                sb.append(i == 0 ? "" : " | ").append(pad(cell(r[i]), w[i]));
            }
            out.println(sb.toString().stripTrailing());
        }
        out.println("(" + rows.size() + " row" + (rows.size() == 1 ? "" : "s") + ")");
    }

    private static String cell(String v) {
        String s = v == null ? "NULL" : v.replace('\n', ' ');
        return s.length() > 60 ? s.substring(0, 59) + "…" : s;
    }

    private static String pad(String s, int w) {
        return s.length() >= w ? s : s + " ".repeat(w - s.length());
    }

    private static void csv(PrintWriter out, List<String> names, List<String[]> rows) {
        out.println(String.join(",", names.stream().map(QueryCommand::csvCell).toList()));
        for (String[] r : rows) {
            List<String> cells = new ArrayList<>(r.length);
            for (String v : r) {
                cells.add(v == null ? "" : csvCell(v));
            }
            out.println(String.join(",", cells));
        }
    }

    private static String csvCell(String v) {
        return v.contains(",") || v.contains("\"") || v.contains("\n") ? "\"" + v.replace("\"", "\"\"") + "\"" : v;
    }

    private static void json(PrintWriter out, List<String> names, List<String[]> rows) {
        for (String[] r : rows) {
            ObjectNode o = EnvelopeCodec.mapper().createObjectNode();
            for (int i = 0; i < r.length; i++) {
                o.put(names.get(i), r[i]);
            }
            out.println(o.toString());
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // A temp file left behind is harmless.
                }
            });
        } catch (IOException ignored) {
            // Same.
        }
    }
}
