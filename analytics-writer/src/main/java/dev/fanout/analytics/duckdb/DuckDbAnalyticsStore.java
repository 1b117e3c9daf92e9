package dev.fanout.analytics.duckdb;

import dev.fanout.analytics.schema.AnalyticsSchema;
import dev.fanout.analytics.schema.SqlDdl;
import dev.fanout.analytics.schema.TableDef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.duckdb.DuckDBConnection;
import org.jboss.logging.Logger;

/**
 * The local analytics database: one DuckDB file with the tables and view of
 * {@link AnalyticsSchema}. DuckDB lets one process write a file, so this process owns it: the
 * writer appends on one connection and {@link #readOnlyConnection()} hands out read-only ones for
 * the query endpoint.
 *
 * <p>At open the store table ({@link DuckDbLayout}) is created if absent, missing columns are added,
 * a file of the earlier two-table layout is moved into it, and the views are (re)created; a column
 * of the wrong type fails the start with the DDL to run. File system access from SQL ({@code read_csv},
 * {@code COPY … TO}, {@code ATTACH}) and extension downloads are switched off for the whole
 * database: nothing here needs them, and the query endpoint must not reach beyond the file.
 */
public final class DuckDbAnalyticsStore implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(DuckDbAnalyticsStore.class);

    private final Path path;
    /** Opened the database; only ever duplicated (a JDBC connection is not for two threads at once). */
    private final DuckDBConnection connection;
    /** The sink writer's own connection. */
    private DuckDBConnection writer;

    private DuckDbAnalyticsStore(Path path, DuckDBConnection connection) {
        this.path = path;
        this.connection = connection;
    }

    /**
     * Opens (creating if needed) the database file and brings its tables into shape.
     *
     * <p>{@code checkpointThreshold} is DuckDB's {@code checkpoint_threshold}, the WAL size that
     * triggers a checkpoint. A checkpoint compresses (FSST) and writes every row group that changed
     * since the last one, the partly filled last one included, which the next checkpoint compresses
     * again. At DuckDB's 16 MiB default (~14,000 of our events) each 122,880-row group was
     * compressed about nine times while it filled, and the writer did half the rows per CPU-second
     * it does at 256 MB (docs/benchmarks.md). The price is a bigger WAL: committed rows wait there
     * until the checkpoint, and a restart after a crash replays it.
     */
    public static DuckDbAnalyticsStore open(Path path, String memoryLimit, int threads, String checkpointThreshold)
            throws SQLException {
        Path abs = path.toAbsolutePath().normalize();
        try {
            if (abs.getParent() != null) {
                Files.createDirectories(abs.getParent());
            }
        } catch (java.io.IOException e) {
            throw new SQLException("cannot create the directory of " + abs + ": " + e.getMessage(), e);
        }
        Properties p = new Properties();
        p.setProperty("memory_limit", memoryLimit);
        p.setProperty("threads", Integer.toString(threads));
        p.setProperty("checkpoint_threshold", checkpointThreshold);
        p.setProperty("enable_external_access", "false");
        p.setProperty("autoinstall_known_extensions", "false");
        p.setProperty("autoload_known_extensions", "false");
        Connection c;
        try {
            // Not DriverManager: it registers the drivers it finds on first use in the JVM, i.e. with the
            // class loader of the first Quarkus app; a test JVM that restarts Quarkus then finds "no suitable driver".
            c = new org.duckdb.DuckDBDriver().connect("jdbc:duckdb:" + abs, p);
        } catch (SQLException e) {
            if (String.valueOf(e.getMessage()).contains("lock")) {
                throw new SQLException("the analytics database " + abs + " is in use by another process (DuckDB lets one "
                        + "process write a file): stop it, or query it through its POST /v1/query. " + e.getMessage(), e);
            }
            throw e;
        }
        DuckDbAnalyticsStore store = new DuckDbAnalyticsStore(abs, c.unwrap(DuckDBConnection.class));
        try {
            store.migrate();
            store.writer = store.connection.duplicate();
        } catch (SQLException | RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    private void migrate() throws SQLException {
        List<String> problems = new ArrayList<>();
        try (Statement s = connection.createStatement()) {
            boolean earlierLayout = isBaseTable(AnalyticsSchema.EVENTS_RAW) && isBaseTable(AnalyticsSchema.EVENTS);
            if (earlierLayout) {
                migrateEarlierLayout(s);
            }
            s.execute(DuckDbLayout.createStore());
            Map<String, String> live = columns(DuckDbLayout.STORE);
            for (DuckDbLayout.StoreColumn c : DuckDbLayout.COLUMNS) {
                String type = live.get(c.name());
                if (type == null) {
                    LOG.infof("analytics database %s: adding column %s.%s", path, DuckDbLayout.STORE, c.name());
                    s.execute(DuckDbLayout.addColumn(c));
                } else if (!sameType(type, c.duckDb())) {
                    problems.add(DuckDbLayout.STORE + "." + c.name() + " is " + type + ", expected " + c.duckDb());
                }
            }
            if (!problems.isEmpty()) {
                throw new SQLException("the analytics database " + path + " does not match the analytics schema: "
                        + String.join("; ", problems) + ". Move the file away (a new one is created), or recreate the table: "
                        + DuckDbLayout.createStore());
            }
            s.execute(SqlDdl.DUCKDB_JSON_EXTRACT_SCALAR);
            s.execute(DuckDbLayout.RFC3339_MACRO);
            for (TableDef t : AnalyticsSchema.TABLES) {
                s.execute(DuckDbLayout.createView(t));
            }
            s.execute(DuckDbLayout.createDedupView());
        }
    }

    /**
     * A file written before the one-table layout: its rows move into the store in one transaction
     * (a failure leaves the file as it was).
     */
    private void migrateEarlierLayout(Statement s) throws SQLException {
        long t0 = System.nanoTime();
        connection.setAutoCommit(false);
        try {
            s.execute(DuckDbLayout.createStore());
            for (String sql : DuckDbLayout.migrateFromTables()) {
                s.execute(sql);
            }
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw new SQLException("the analytics database " + path + " has the earlier two-table layout and moving its rows into "
                    + DuckDbLayout.STORE + " failed (the file is unchanged): " + e.getMessage(), e);
        } finally {
            connection.setAutoCommit(true);
        }
        LOG.infof("analytics database %s: moved events_raw and events into %s (one row per event, the tables are views now) in %d ms",
                path, DuckDbLayout.STORE, (System.nanoTime() - t0) / 1_000_000);
    }

    private boolean isBaseTable(String name) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main' AND table_name = ? AND table_type = 'BASE TABLE'")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) > 0;
            }
        }
    }

    private static boolean sameType(String live, String expected) {
        String l = live.toUpperCase(Locale.ROOT);
        return switch (expected) {
            case "TIMESTAMPTZ" -> l.equals("TIMESTAMP WITH TIME ZONE") || l.equals("TIMESTAMPTZ");
            default -> l.equals(expected);
        };
    }

    /** Column name → DuckDB type, from {@code information_schema}. */
    public Map<String, String> columns(String table) throws SQLException {
        Map<String, String> out = new LinkedHashMap<>();
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return out;
    }

    /** The writer's connection (one thread at a time: the sink's writer). */
    DuckDBConnection writeConnection() {
        return writer;
    }

    /**
     * A new connection to the same database, inside a {@code READ ONLY} transaction: any write
     * fails. The caller closes it.
     */
    public DuckDBConnection readOnlyConnection() throws SQLException {
        DuckDBConnection c;
        synchronized (connection) {
            c = connection.duplicate();
        }
        try (Statement s = c.createStatement()) {
            s.execute("BEGIN TRANSACTION READ ONLY");
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    public Path path() {
        return path;
    }

    @Override
    public void close() throws SQLException {
        synchronized (this) {
            if (writer != null && !writer.isClosed()) {
                writer.close();
            }
            if (!connection.isClosed()) {
                // A checkpoint folds the WAL into the file, so the next opener (or the DuckDB CLI) starts fast.
                try (Statement s = connection.createStatement()) {
                    s.execute("CHECKPOINT");
                } catch (SQLException e) {
                    LOG.debugf(e, "analytics database %s: checkpoint at close failed", path);
                }
                connection.close();
            }
        }
    }
}
