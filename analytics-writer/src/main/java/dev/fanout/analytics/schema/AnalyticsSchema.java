package dev.fanout.analytics.schema;

import static dev.fanout.analytics.schema.Column.nullable;
import static dev.fanout.analytics.schema.Column.required;
import static dev.fanout.analytics.schema.ColumnType.JSON;
import static dev.fanout.analytics.schema.ColumnType.STRING;
import static dev.fanout.analytics.schema.ColumnType.TIMESTAMP;

import java.util.List;

/**
 * THE definition of the analytics tables, used by the BigQuery loader, the DuckDB DDL, the schema
 * JSON files Terraform reads ({@code bigquery/<table>.json} on the classpath, written from here by
 * {@link SchemaFiles}) and {@code docs/analytics.md}. {@code AnalyticsSchemaConsistencyTest} fails
 * when any of those disagrees with this class.
 *
 * <p>Free-form data stays in JSON columns ({@code fields}, {@code payload}, {@code attributes}), so
 * a new Cribl field never needs a table change and never stalls the backlog.
 */
public final class AnalyticsSchema {

    private AnalyticsSchema() {}

    public static final String EVENTS_RAW = "events_raw";
    public static final String EVENTS = "events";
    public static final String EVENTS_DEDUP = "events_dedup";

    /** {@code events_raw}'s partition expiry: the landing zone; the archive is the long-term copy. */
    public static final int RAW_EXPIRATION_DAYS = 7;
    /** {@code events}'s partition expiry: 30 days of warm logs. Older events go to {@code events_raw} only. */
    public static final int EVENTS_EXPIRATION_DAYS = 30;

    /** The JSON landing table: one row per delivered event, the whole envelope in {@code payload}. */
    public static final TableDef RAW = new TableDef(EVENTS_RAW,
            "One row per delivered event (at-least-once: redelivery and replay add rows with the same id); "
                    + "payload is the envelope as delivered.",
            List.of(
                    required("id", STRING, "envelope id (32 hex), the dedupe key"),
                    required("time", TIMESTAMP, "event time (Cribl _time, or the receive time)"),
                    required("received_at", TIMESTAMP, "when the ingest bridge received the event"),
                    required("loaded_at", TIMESTAMP, "when the loader wrote the row (partitioning column)"),
                    required("message_id", STRING, "bus message id the event arrived in"),
                    nullable("published_at", TIMESTAMP, "when the bus accepted the message"),
                    nullable("replay", STRING, "replay run id; null unless the event was replayed"),
                    required("attributes", JSON, "the bus message's attributes"),
                    required("payload", JSON, "the whole envelope as delivered")),
            "loaded_at", RAW_EXPIRATION_DAYS, List.of());

    /** The typed 30-day table: envelope fields as columns. */
    public static final TableDef TYPED = new TableDef(EVENTS,
            "Typed envelope fields, partitioned by event time (30-day expiry); events older than the expiry "
                    + "are in events_raw only.",
            List.of(
                    required("id", STRING, "envelope id (32 hex), the dedupe key"),
                    required("time", TIMESTAMP, "event time (Cribl _time, or the receive time); partitioning column"),
                    required("received_at", TIMESTAMP, "when the ingest bridge received the event"),
                    nullable("host", STRING, "Cribl host"),
                    nullable("source", STRING, "Cribl source"),
                    nullable("sourcetype", STRING, "Cribl sourcetype"),
                    nullable("index", STRING, "Cribl index"),
                    required("severity", STRING, "normalised syslog severity: emergency … debug"),
                    nullable("raw", STRING, "Cribl _raw, or the malformed input line"),
                    required("fields", JSON, "every other Cribl field"),
                    nullable("parse_error", STRING, "why the input line could not be decoded; null if well-formed"),
                    required("message_id", STRING, "bus message id the event arrived in"),
                    nullable("replay", STRING, "replay run id; null unless the event was replayed")),
            "time", EVENTS_EXPIRATION_DAYS, List.of("sourcetype", "host", "severity"));

    /** Both tables, in the order the loader writes them. */
    public static final List<TableDef> TABLES = List.of(RAW, TYPED);

    /**
     * The body of the {@code events_dedup} view: one row per id of {@code events}. The same SQL runs
     * on BigQuery and DuckDB (BigQuery wants a WHERE beside QUALIFY); {@code %s} is the table
     * reference ({@code events}, or {@code `project.dataset.events`} in BigQuery).
     */
    public static final String DEDUP_VIEW_SQL =
            "SELECT * FROM %s WHERE TRUE QUALIFY ROW_NUMBER() OVER (PARTITION BY id ORDER BY received_at, message_id) = 1";

    public static TableDef table(String name) {
        for (TableDef t : TABLES) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("no analytics table " + name);
    }
}
