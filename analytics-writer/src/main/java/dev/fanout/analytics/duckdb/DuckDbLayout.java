package dev.fanout.analytics.duckdb;

import dev.fanout.analytics.schema.AnalyticsSchema;
import dev.fanout.analytics.schema.Column;
import dev.fanout.analytics.schema.ColumnType;
import dev.fanout.analytics.schema.TableDef;
import dev.fanout.events.EnvelopeCodec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * How the DuckDB file holds {@link AnalyticsSchema}: one row per delivered event in the table
 * {@value #STORE}, and {@code events_raw}, {@code events} and {@code events_dedup} as views over it
 * with exactly the schema's columns, so every query reads as on BigQuery.
 *
 * <p>Why not two tables as on BigQuery: the two rows of an event repeat most of their columns, and
 * {@code payload} repeats all of them; DuckDB's appends and checkpoint compression are most of the
 * local pipeline's analytics cost. One narrower row per event measured ~1.9× the events per
 * CPU-second and a third of the file (docs/benchmarks.md). {@code payload} is rebuilt by the view
 * from the columns, in the envelope's own JSON form ({@link EnvelopeCodec}: same keys, order and
 * timestamp text), with timestamps at DuckDB's microsecond precision.
 *
 * <p>Expiry works as on BigQuery, seen through the views: a row is in {@code events_raw} while its
 * {@code loaded_at} is within {@link AnalyticsSchema#RAW_EXPIRATION_DAYS}, in {@code events} while
 * its {@code time} is within {@link AnalyticsSchema#EVENTS_EXPIRATION_DAYS} (so events older than
 * that at load time are in {@code events_raw} only); the sink deletes a row once it is in neither.
 */
public final class DuckDbLayout {

    /** The physical table: one row per delivered event. */
    public static final String STORE = "events_store";

    /** DuckDB-only columns of {@link #STORE} that {@code payload} needs and no table of the schema has. */
    static final String SCHEMA = "schema";
    static final String TIME_SOURCE = "time_source";

    /** The store's columns: each schema column once (in table order, {@code payload} left out), then {@link #SCHEMA}, {@link #TIME_SOURCE}. */
    static final List<StoreColumn> COLUMNS = storeColumns();

    /**
     * One column of {@link #STORE}.
     *
     * @param name     column name
     * @param duckDb   DuckDB type
     * @param notNull  NOT NULL: the column is required in every table of the schema, and every table has it
     * @param schema   the schema column it stores, or null for {@link #SCHEMA} and {@link #TIME_SOURCE}
     */
    record StoreColumn(String name, String duckDb, boolean notNull, Column schema) {}

    private DuckDbLayout() {}

    private static List<StoreColumn> storeColumns() {
        Map<String, Column> first = new LinkedHashMap<>();
        for (TableDef t : AnalyticsSchema.TABLES) {
            for (Column c : t.columns()) {
                if (!c.name().equals(PAYLOAD)) {
                    first.putIfAbsent(c.name(), c);
                }
            }
        }
        List<StoreColumn> out = new ArrayList<>();
        for (Column c : first.values()) {
            boolean everywhere = AnalyticsSchema.TABLES.stream()
                    .allMatch(t -> t.columns().stream().anyMatch(x -> x.name().equals(c.name()) && x.required()));
            out.add(new StoreColumn(c.name(), c.type().duckDb(), everywhere, c));
        }
        out.add(new StoreColumn(SCHEMA, "INTEGER", false, null));
        out.add(new StoreColumn(TIME_SOURCE, "VARCHAR", false, null));
        return List.copyOf(out);
    }

    private static final String PAYLOAD = "payload";

    /** {@code CREATE TABLE IF NOT EXISTS} for {@link #STORE}. */
    static String createStore() {
        StringJoiner cols = new StringJoiner(",\n  ", "CREATE TABLE IF NOT EXISTS " + STORE + " (\n  ", "\n)");
        for (StoreColumn c : COLUMNS) {
            cols.add(ident(c.name()) + " " + c.duckDb() + (c.notNull() ? " NOT NULL" : ""));
        }
        return cols.toString();
    }

    /** {@code ALTER TABLE … ADD COLUMN} for a store column missing from an older file. */
    static String addColumn(StoreColumn c) {
        // NOT NULL cannot be added to a table with rows; the writer always fills it anyway.
        return "ALTER TABLE " + STORE + " ADD COLUMN " + ident(c.name()) + " " + c.duckDb();
    }

    /**
     * RFC 3339 text of a TIMESTAMPTZ as {@link Instant#toString()} (and so the envelope) writes it:
     * UTC, the fraction in groups of 3 digits, only as long as needed.
     */
    static final String RFC3339_MACRO = "CREATE OR REPLACE MACRO fanout_rfc3339(ts) AS "
            // Microseconds, then the zero groups dropped: '.000000' whole, else a trailing '000'.
            + "regexp_replace(strftime(ts AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%f'), '(\\.000000|000)$', '') || 'Z'";

    /** The view for a table of the schema: its columns in its order, over the rows it would hold. */
    static String createView(TableDef t) {
        StringJoiner sel = new StringJoiner(", ");
        for (Column c : t.columns()) {
            sel.add(c.name().equals(PAYLOAD) ? payloadExpression() + " AS " + PAYLOAD : ident(c.name()));
        }
        return "CREATE OR REPLACE VIEW " + ident(t.name()) + " AS SELECT " + sel + " FROM " + STORE + " WHERE "
                + ident(t.partitionColumn()) + " >= now() - INTERVAL " + t.partitionExpirationDays() + " DAY";
    }

    /** The dedup view (over the {@code events} view). */
    static String createDedupView() {
        return "CREATE OR REPLACE VIEW " + AnalyticsSchema.EVENTS_DEDUP + " AS "
                + String.format(java.util.Locale.ROOT, AnalyticsSchema.DEDUP_VIEW_SQL, AnalyticsSchema.EVENTS);
    }

    /**
     * The envelope's JSON from the store's columns, key for key as {@link EnvelopeCodec} writes it
     * (absent optional fields left out, not null).
     */
    private static String payloadExpression() {
        StringBuilder b = new StringBuilder("(");
        b.append("'{\"").append(EnvelopeCodec.F_ID).append("\":' || to_json(id)");
        b.append(" || ',\"").append(EnvelopeCodec.F_SCHEMA).append("\":' || coalesce(").append(ident(SCHEMA)).append(", 1)");
        b.append(" || ',\"").append(EnvelopeCodec.F_TIME).append("\":\"' || fanout_rfc3339(\"time\") || '\"'");
        b.append(" || ',\"").append(EnvelopeCodec.F_TIME_SOURCE).append("\":' || to_json(coalesce(").append(ident(TIME_SOURCE))
                .append(", 'event'))");
        b.append(" || ',\"").append(EnvelopeCodec.F_RECEIVED_AT).append("\":\"' || fanout_rfc3339(received_at) || '\"'");
        optional(b, EnvelopeCodec.F_HOST);
        optional(b, EnvelopeCodec.F_SOURCE);
        optional(b, EnvelopeCodec.F_SOURCETYPE);
        optional(b, EnvelopeCodec.F_INDEX);
        b.append(" || ',\"").append(EnvelopeCodec.F_SEVERITY).append("\":' || to_json(severity)");
        optional(b, EnvelopeCodec.F_RAW);
        b.append(" || ',\"").append(EnvelopeCodec.F_FIELDS).append("\":' || coalesce(fields::VARCHAR, '{}')");
        optional(b, EnvelopeCodec.F_PARSE_ERROR);
        b.append(" || '}')::JSON");
        return b.toString();
    }

    private static void optional(StringBuilder b, String name) {
        b.append(" || (CASE WHEN ").append(ident(name)).append(" IS NULL THEN '' ELSE ',\"").append(name)
                .append("\":' || to_json(").append(ident(name)).append(") END)");
    }

    /** Deletes the rows no view shows any more. */
    static String expire(Instant now) {
        return "DELETE FROM " + STORE + " WHERE (loaded_at IS NULL OR loaded_at < TIMESTAMPTZ '"
                + now.minus(java.time.Duration.ofDays(AnalyticsSchema.RAW_EXPIRATION_DAYS)) + "') AND \"time\" < TIMESTAMPTZ '"
                + now.minus(java.time.Duration.ofDays(AnalyticsSchema.EVENTS_EXPIRATION_DAYS)) + "'";
    }

    /**
     * Statements that move a file of the earlier layout (base tables {@code events_raw} and
     * {@code events}) into {@link #STORE}: every {@code events_raw} row with its typed columns
     * read from its {@code payload}; then the {@code events} rows with no {@code events_raw} row of
     * the same id and message (their landing row had expired) with a null {@code loaded_at}, so
     * they show in {@code events} only, as before. Run in one transaction after {@link #createStore()}.
     */
    static List<String> migrateFromTables() {
        List<String> storeCols = COLUMNS.stream().map(c -> ident(c.name())).toList();
        List<String> fromRaw = new ArrayList<>();
        List<String> fromTyped = new ArrayList<>();
        for (StoreColumn c : COLUMNS) {
            boolean inRaw = AnalyticsSchema.RAW.columns().stream().anyMatch(x -> x.name().equals(c.name()));
            boolean inTyped = AnalyticsSchema.TYPED.columns().stream().anyMatch(x -> x.name().equals(c.name()));
            fromRaw.add(inRaw ? "r." + ident(c.name()) : fromPayload(c));
            fromTyped.add(inTyped ? "t." + ident(c.name()) : SCHEMA.equals(c.name()) ? "1" : "NULL");
        }
        String cols = String.join(", ", storeCols);
        return List.of(
                "INSERT INTO " + STORE + " (" + cols + ") SELECT " + String.join(", ", fromRaw) + " FROM " + AnalyticsSchema.EVENTS_RAW + " r",
                "INSERT INTO " + STORE + " (" + cols + ") SELECT " + String.join(", ", fromTyped) + " FROM "
                        + AnalyticsSchema.EVENTS + " t WHERE NOT EXISTS (SELECT 1 FROM " + AnalyticsSchema.EVENTS_RAW
                        + " r WHERE r.id = t.id AND r.message_id = t.message_id)",
                "DROP VIEW IF EXISTS " + AnalyticsSchema.EVENTS_DEDUP,
                "DROP TABLE " + AnalyticsSchema.EVENTS_RAW,
                "DROP TABLE " + AnalyticsSchema.EVENTS);
    }

    private static String fromPayload(StoreColumn c) {
        String path = "'$.\"" + c.name() + "\"'";
        if (SCHEMA.equals(c.name())) {
            return "coalesce(TRY_CAST(json_extract_string(r.payload, " + path + ") AS INTEGER), 1)";
        }
        if (c.schema() != null && c.schema().type() == ColumnType.JSON) {
            return "coalesce(json_extract(r.payload, " + path + "), '{}'::JSON)";
        }
        return "json_extract_string(r.payload, " + path + ")";
    }

    static String ident(String name) {
        return "\"" + name + "\"";
    }
}
