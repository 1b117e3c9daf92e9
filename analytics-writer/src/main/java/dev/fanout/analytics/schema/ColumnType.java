package dev.fanout.analytics.schema;

/**
 * The column types the analytics tables use, with their spelling in each engine. Only three are
 * needed: free-form data lives in JSON columns, so new Cribl fields never need a table change.
 */
public enum ColumnType {
    STRING("STRING", "VARCHAR"),
    TIMESTAMP("TIMESTAMP", "TIMESTAMPTZ"),
    JSON("JSON", "JSON");

    private final String bigQuery;
    private final String duckDb;

    ColumnType(String bigQuery, String duckDb) {
        this.bigQuery = bigQuery;
        this.duckDb = duckDb;
    }

    /** The type name in BigQuery's schema JSON, REST API and DDL. */
    public String bigQuery() {
        return bigQuery;
    }

    /** The type name in DuckDB DDL and {@code information_schema.columns.data_type}. */
    public String duckDb() {
        return duckDb;
    }
}
