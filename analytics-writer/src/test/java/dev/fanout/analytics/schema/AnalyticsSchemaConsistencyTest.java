package dev.fanout.analytics.schema;

import static dev.fanout.analytics.AnalyticsTestRecords.batch;
import static dev.fanout.analytics.AnalyticsTestRecords.records;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.analytics.duckdb.DuckDbAnalyticsSink;
import dev.fanout.analytics.duckdb.DuckDbAnalyticsStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one schema definition ({@link AnalyticsSchema}) against everything that restates it: the
 * shipped BigQuery JSON files (which the deploy's Terraform reads), the DuckDB tables, the
 * Terraform itself, and docs/analytics.md — whose queries must also run on DuckDB.
 */
class AnalyticsSchemaConsistencyTest {

    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final Path DOC = REPO.resolve("docs/analytics.md");

    @TempDir
    Path dir;

    @Test
    void theShippedJsonFilesAreTheSchema() {
        for (TableDef t : AnalyticsSchema.TABLES) {
            assertThat(SchemaFiles.shipped(t)).as("bigquery/%s.json is stale: run SchemaFiles.main", t.name())
                    .isEqualTo(SchemaFiles.bigQuerySchemaJson(t));
        }
        assertThat(SchemaFiles.shipped(SchemaFiles.TABLES_FILE)).as("bigquery/tables.json is stale").isEqualTo(SchemaFiles.tablesJson());
    }

    @Test
    void theDuckDbTablesAreTheSchema() throws Exception {
        try (DuckDbAnalyticsStore store = DuckDbAnalyticsStore.open(dir.resolve("analytics.duckdb"), "64MB", 1, "256MB")) {
            for (TableDef t : AnalyticsSchema.TABLES) {
                List<String> expected = t.columns().stream().map(c -> c.name() + " " + duckType(c)).toList();
                List<String> live = store.columns(t.name()).entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList();
                assertThat(live).as(t.name()).containsExactlyElementsOf(expected);
            }
            assertThat(store.columns(AnalyticsSchema.EVENTS_DEDUP).keySet())
                    .containsExactlyElementsOf(AnalyticsSchema.TYPED.columns().stream().map(Column::name).toList());
        }
    }

    private static String duckType(Column c) {
        return c.type() == ColumnType.TIMESTAMP ? "TIMESTAMP WITH TIME ZONE" : c.type().duckDb();
    }

    @Test
    void theDocsListTheSameColumns() throws IOException {
        String doc = Files.readString(DOC);
        for (TableDef t : AnalyticsSchema.TABLES) {
            List<List<String>> rows = tableUnder(doc, "### `" + t.name() + "`");
            List<List<String>> expected = new ArrayList<>();
            for (Column c : t.columns()) {
                expected.add(List.of("`" + c.name() + "`", c.type().bigQuery(), c.type().duckDb(), c.mode(), c.description()));
            }
            assertThat(rows).as("docs/analytics.md, table %s", t.name()).isEqualTo(expected);
        }
        assertThat(doc).contains(String.format(AnalyticsSchema.DEDUP_VIEW_SQL, AnalyticsSchema.EVENTS));
        assertThat(doc).contains("| `events_raw` |").contains(AnalyticsSchema.RAW_EXPIRATION_DAYS + " days")
                .contains(AnalyticsSchema.EVENTS_EXPIRATION_DAYS + " days");
    }

    @Test
    void everyQueryInTheDocsRunsOnDuckDb() throws Exception {
        String doc = Files.readString(DOC);
        String section = doc.substring(doc.indexOf("## Queries that run on both engines"));
        section = section.substring(0, section.indexOf("\n## ", 5));
        List<String> queries = new ArrayList<>();
        Matcher m = Pattern.compile("```sql\n(.*?)```", Pattern.DOTALL).matcher(section);
        while (m.find()) {
            queries.add(m.group(1));
        }
        assertThat(queries).hasSizeGreaterThanOrEqualTo(8);
        try (DuckDbAnalyticsStore store = DuckDbAnalyticsStore.open(dir.resolve("analytics.duckdb"), "64MB", 1, "256MB")) {
            new DuckDbAnalyticsSink(store, Clock.systemUTC()).write(batch(records(0, 40, Instant.now().minusSeconds(1800))));
            for (String q : queries) {
                try (Connection c = store.readOnlyConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(q)) {
                    assertThat(rs.getMetaData().getColumnCount()).as(q).isPositive();
                }
            }
        }
    }

    /**
     * The deploy's Terraform must read the shipped files rather than restate the columns, and its
     * partitioning must be the loader's: either a literal {@code file(".../bigquery/<table>.json")},
     * or the module's {@code for_each} over a table map with {@code file("${local.schema_dir}/${each.key}.json")}
     * where {@code schema_dir} is this module's resource directory; the expiry in days comes from a
     * variable whose default must equal the loader's. Skipped (vacuously true) until a
     * {@code google_bigquery_table} exists under {@code deploy/}.
     */
    @Test
    void terraformReadsTheShippedSchemaFiles() throws IOException {
        Path deploy = REPO.resolve("deploy");
        if (!Files.isDirectory(deploy)) {
            return;
        }
        List<Path> tf;
        try (Stream<Path> files = Files.walk(deploy)) {
            tf = files.filter(p -> p.toString().endsWith(".tf")).toList();
        }
        StringBuilder all = new StringBuilder();
        for (Path p : tf) {
            all.append(Files.readString(p)).append('\n');
        }
        String hcl = all.toString();
        if (!hcl.contains("google_bigquery_table")) {
            return;
        }
        boolean viaMap = hcl.matches("(?s).*schema_dir\\s*=\\s*\"[^\"]*analytics-writer/src/main/resources/bigquery\".*")
                && hcl.contains("file(\"${local.schema_dir}/${each.key}.json\")");
        for (TableDef t : AnalyticsSchema.TABLES) {
            boolean literal = Pattern.compile("file\\([^)]*bigquery/" + t.name() + "\\.json").matcher(hcl).find();
            Matcher entry = Pattern.compile("(?s)\\n\\s*" + t.name() + "\\s*=\\s*\\{(.*?)\\n\\s*}").matcher(hcl);
            boolean inMap = viaMap && entry.find();
            assertThat(literal || inMap).as("Terraform must take %s's schema from the shipped JSON", t.name()).isTrue();
            if (!inMap) {
                continue;
            }
            String body = entry.group(1);
            assertThat(body).as("partition field of %s", t.name())
                    .containsPattern("partition_field\\s*=\\s*\"" + t.partitionColumn() + "\"");
            Matcher expiry = Pattern.compile("expiry_days\\s*=\\s*(?:var\\.(\\w+)|(\\d+))").matcher(body);
            assertThat(expiry.find()).as("expiry of %s", t.name()).isTrue();
            long days;
            if (expiry.group(2) != null) {
                days = Long.parseLong(expiry.group(2));
            } else {
                Matcher def = Pattern.compile("(?s)variable\\s+\"" + expiry.group(1) + "\"\\s*\\{.*?default\\s*=\\s*(\\d+)")
                        .matcher(hcl);
                assertThat(def.find()).as("default of var.%s", expiry.group(1)).isTrue();
                days = Long.parseLong(def.group(1));
            }
            assertThat(days * 86_400_000L).as("Terraform expiry of %s", t.name()).isEqualTo(t.partitionExpirationMs());
        }
    }

    /** Rows of the first markdown table after {@code heading}, header and rule skipped, cells trimmed. */
    private static List<List<String>> tableUnder(String doc, String heading) {
        int at = doc.indexOf(heading);
        assertThat(at).as("heading %s in docs/analytics.md", heading).isNotNegative();
        List<List<String>> rows = new ArrayList<>();
        boolean inTable = false;
        int lineNo = 0;
        for (String line : doc.substring(at + heading.length()).split("\n")) {
            if (line.startsWith("|")) {
                inTable = true;
                if (lineNo++ >= 2) {
                    List<String> cells = new ArrayList<>();
                    for (String c : line.substring(1, line.length() - 1).split("\\|")) {
                        cells.add(c.strip());
                    }
                    rows.add(cells);
                }
            } else if (inTable) {
                break;
            }
        }
        return rows;
    }
}
