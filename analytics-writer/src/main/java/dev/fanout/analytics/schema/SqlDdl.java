package dev.fanout.analytics.schema;

import java.util.Locale;
import java.util.StringJoiner;

/**
 * DDL for {@link AnalyticsSchema}: what the BigQuery loader prints when the live tables do not
 * match (the deploy's Terraform creates them from the schema JSON files instead), and the macro
 * every DuckDB file carries. The DuckDB file's own layout: {@code DuckDbLayout}.
 */
public final class SqlDdl {

    private SqlDdl() {}

    /**
     * BigQuery's {@code JSON_EXTRACT_SCALAR(json, path)} (a scalar as STRING, unquoted) for DuckDB,
     * whose own {@code JSON_VALUE} returns JSON ({@code "main"} with its quotes). Kept in the file,
     * so any DuckDB client opening it runs the docs' queries unchanged.
     */
    public static final String DUCKDB_JSON_EXTRACT_SCALAR =
            "CREATE OR REPLACE MACRO json_extract_scalar(j, p) AS json_extract_string(j, p)";

    /** BigQuery: the full {@code CREATE TABLE} with partitioning, expiry and clustering. */
    public static String bigQueryCreateTable(String project, String dataset, TableDef t) {
        StringJoiner cols = new StringJoiner(",\n  ", "CREATE TABLE IF NOT EXISTS " + bigQueryRef(project, dataset, t.name()) + " (\n  ", "\n)");
        for (Column c : t.columns()) {
            cols.add("`" + c.name() + "` " + c.type().bigQuery() + (c.required() ? " NOT NULL" : "")
                    + " OPTIONS(description=" + quote(c.description()) + ")");
        }
        StringBuilder b = new StringBuilder(cols.toString());
        b.append("\nPARTITION BY DATE(`").append(t.partitionColumn()).append("`)");
        if (!t.clustering().isEmpty()) {
            b.append("\nCLUSTER BY ").append(String.join(", ", t.clustering().stream().map(c -> "`" + c + "`").toList()));
        }
        b.append("\nOPTIONS(partition_expiration_days=").append(t.partitionExpirationDays())
                .append(", description=").append(quote(t.description())).append(")");
        return b.toString();
    }

    /** BigQuery: {@code ALTER TABLE … ADD COLUMN} (BigQuery adds NULLABLE columns only). */
    public static String bigQueryAddColumn(String project, String dataset, TableDef t, Column c) {
        return "ALTER TABLE " + bigQueryRef(project, dataset, t.name()) + " ADD COLUMN `" + c.name() + "` "
                + c.type().bigQuery() + " OPTIONS(description=" + quote(c.description()) + ")";
    }

    /** BigQuery: the dedup view over {@code events}. */
    public static String bigQueryCreateDedupView(String project, String dataset) {
        return "CREATE OR REPLACE VIEW " + bigQueryRef(project, dataset, AnalyticsSchema.EVENTS_DEDUP) + " AS "
                + String.format(Locale.ROOT, AnalyticsSchema.DEDUP_VIEW_SQL, bigQueryRef(project, dataset, AnalyticsSchema.EVENTS));
    }

    public static String bigQueryRef(String project, String dataset, String table) {
        return "`" + project + "." + dataset + "." + table + "`";
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
