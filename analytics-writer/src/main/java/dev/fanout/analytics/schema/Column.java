package dev.fanout.analytics.schema;

import java.util.Objects;

/**
 * One column of an analytics table.
 *
 * @param name        column name (same in BigQuery and DuckDB)
 * @param type        column type
 * @param required    BigQuery mode REQUIRED (else NULLABLE); DuckDB NOT NULL
 * @param description what the column holds (goes into the BigQuery schema and the docs)
 */
public record Column(String name, ColumnType type, boolean required, String description) {

    public Column {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(description, "description");
    }

    public static Column required(String name, ColumnType type, String description) {
        return new Column(name, type, true, description);
    }

    public static Column nullable(String name, ColumnType type, String description) {
        return new Column(name, type, false, description);
    }

    /** BigQuery's mode name. */
    public String mode() {
        return required ? "REQUIRED" : "NULLABLE";
    }
}
