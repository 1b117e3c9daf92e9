package dev.fanout.analytics.schema;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One analytics table: columns in order, DAY partitioning on a timestamp column with an expiry,
 * and clustering columns.
 *
 * @param name                    table name (same in BigQuery and DuckDB)
 * @param description             what the table is for
 * @param columns                 the columns, in order (proto field number = position + 1)
 * @param partitionColumn         the DAY-partitioning column
 * @param partitionExpirationDays partition expiry in days
 * @param clustering              clustering columns (BigQuery: at most 4)
 */
public record TableDef(String name, String description, List<Column> columns, String partitionColumn,
        int partitionExpirationDays, List<String> clustering) {

    public TableDef {
        Objects.requireNonNull(name, "name");
        columns = List.copyOf(columns);
        clustering = List.copyOf(clustering);
        if (find(columns, partitionColumn).filter(c -> c.type() == ColumnType.TIMESTAMP).isEmpty()) {
            throw new IllegalArgumentException(name + ": partition column " + partitionColumn + " must be a TIMESTAMP column");
        }
        if (clustering.size() > 4) {
            throw new IllegalArgumentException(name + ": BigQuery clusters by at most 4 columns");
        }
        for (String c : clustering) {
            if (find(columns, c).isEmpty()) {
                throw new IllegalArgumentException(name + ": clustering column " + c + " is not a column");
            }
        }
    }

    public Optional<Column> column(String columnName) {
        return find(columns, columnName);
    }

    private static Optional<Column> find(List<Column> columns, String columnName) {
        for (Column c : columns) {
            if (c.name().equals(columnName)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** Position of the column, 0-based; -1 if absent. */
    public int indexOf(String columnName) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(columnName)) {
                return i;
            }
        }
        return -1;
    }

    /** Partition expiry in milliseconds, as Terraform's {@code time_partitioning.expiration_ms} wants it. */
    public long partitionExpirationMs() {
        return partitionExpirationDays * 86_400_000L;
    }
}
