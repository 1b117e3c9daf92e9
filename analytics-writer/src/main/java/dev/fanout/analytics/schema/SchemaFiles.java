package dev.fanout.analytics.schema;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Renders {@link AnalyticsSchema} in BigQuery's schema JSON format (the array Terraform's
 * {@code google_bigquery_table.schema = file("…/events_raw.json")} and {@code bq mk --schema} take),
 * kept in {@code analytics-writer/src/main/resources/bigquery/<table>.json}.
 *
 * <p>{@code main(dir)} rewrites the files; the consistency test fails if they are stale.
 */
public final class SchemaFiles {

    /** Classpath folder of the schema JSON files. */
    public static final String RESOURCE_DIR = "bigquery/";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private SchemaFiles() {}

    /** The table's BigQuery schema JSON (an array of {name, type, mode, description}), pretty-printed, newline-terminated. */
    public static String bigQuerySchemaJson(TableDef table) {
        ArrayNode fields = MAPPER.createArrayNode();
        for (Column c : table.columns()) {
            ObjectNode f = fields.addObject();
            f.put("name", c.name());
            f.put("type", c.type().bigQuery());
            f.put("mode", c.mode());
            f.put("description", c.description());
        }
        try {
            return MAPPER.writer(printer()).writeValueAsString(fields) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** File name of the table options (partitioning, expiry, clustering, view SQL) for Terraform's {@code jsondecode(file(…))}. */
    public static final String TABLES_FILE = "tables.json";

    /**
     * {@code {"events_raw": {"partition_field", "partition_type", "expiration_ms", "clustering", "description"}, …,
     * "events_dedup": {"view_sql"}}}: what a {@code google_bigquery_table} needs beside the schema.
     * {@code view_sql} holds {@code %s} for the {@code `project.dataset.events`} reference.
     */
    public static String tablesJson() {
        ObjectNode root = MAPPER.createObjectNode();
        for (TableDef t : AnalyticsSchema.TABLES) {
            ObjectNode o = root.putObject(t.name());
            o.put("partition_type", "DAY");
            o.put("partition_field", t.partitionColumn());
            o.put("expiration_ms", t.partitionExpirationMs());
            ArrayNode c = o.putArray("clustering");
            t.clustering().forEach(c::add);
            o.put("description", t.description());
        }
        root.putObject(AnalyticsSchema.EVENTS_DEDUP).put("view_sql", AnalyticsSchema.DEDUP_VIEW_SQL);
        try {
            return MAPPER.writer(printer()).writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static DefaultPrettyPrinter printer() {
        DefaultPrettyPrinter pp = new DefaultPrettyPrinter().withObjectIndenter(new DefaultIndenter("  ", "\n"));
        pp.indentArraysWith(new DefaultIndenter("  ", "\n"));
        return pp;
    }

    /** The file as shipped on the classpath. */
    public static String shipped(TableDef table) {
        return shipped(table.name() + ".json");
    }

    /** A file of {@link #RESOURCE_DIR} as shipped on the classpath. */
    public static String shipped(String fileName) {
        try (InputStream in = SchemaFiles.class.getClassLoader().getResourceAsStream(RESOURCE_DIR + fileName)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE_DIR + fileName);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes every table's schema JSON into {@code args[0]} (default: this module's resources folder). */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "analytics-writer/src/main/resources/bigquery");
        Files.createDirectories(dir);
        for (TableDef t : AnalyticsSchema.TABLES) {
            Files.writeString(dir.resolve(t.name() + ".json"), bigQuerySchemaJson(t));
        }
        Files.writeString(dir.resolve(TABLES_FILE), tablesJson());
    }
}
