package dev.fanout.analytics.duckdb;

import dev.fanout.analytics.row.AnalyticsRow;
import dev.fanout.analytics.row.RowField;
import dev.fanout.analytics.schema.AnalyticsSchema;
import dev.fanout.analytics.schema.Column;
import dev.fanout.analytics.schema.TableDef;
import dev.fanout.events.port.SinkRecord;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.StringJoiner;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * The DuckDB layout before {@link DuckDbLayout}: each table of the schema a base table (as on
 * BigQuery), written as the sink wrote it until 2026-12-02. For the migration test and the writer
 * benchmarks that compare both layouts.
 */
public final class EarlierLayout {

    private EarlierLayout() {}

    /** {@code CREATE TABLE IF NOT EXISTS} for the table. */
    public static String createTable(TableDef t) {
        StringJoiner cols = new StringJoiner(",\n  ", "CREATE TABLE IF NOT EXISTS \"" + t.name() + "\" (\n  ", "\n)");
        for (Column c : t.columns()) {
            cols.add("\"" + c.name() + "\" " + c.type().duckDb() + (c.required() ? " NOT NULL" : ""));
        }
        return cols.toString();
    }

    /** Both tables and the dedup view over {@code events}. */
    public static void create(DuckDBConnection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (TableDef t : AnalyticsSchema.TABLES) {
                s.execute(createTable(t));
            }
            s.execute(DuckDbLayout.createDedupView());
        }
    }

    /** Appends the records to {@code events_raw} and/or {@code events}, one transaction. */
    public static void write(DuckDBConnection c, List<SinkRecord> records, Instant loadedAt, boolean raw, boolean typed)
            throws SQLException {
        c.setAutoCommit(false);
        try (DuckDBAppender r = c.createAppender(AnalyticsSchema.EVENTS_RAW); DuckDBAppender t = c.createAppender(AnalyticsSchema.EVENTS)) {
            for (SinkRecord rec : records) {
                AnalyticsRow row = new AnalyticsRow(rec, loadedAt);
                if (raw) {
                    append(r, RowField.of(AnalyticsSchema.RAW), row);
                }
                if (typed) {
                    append(t, RowField.of(AnalyticsSchema.TYPED), row);
                }
            }
        }
        c.commit();
        c.setAutoCommit(true);
    }

    static void append(DuckDBAppender a, RowField[] fields, AnalyticsRow row) throws SQLException {
        a.beginRow();
        DuckDbAnalyticsSink.appendValues(a, fields, row);
        a.endRow();
    }
}
