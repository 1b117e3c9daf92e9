package dev.fanout.analytics.bigquery;

import com.google.cloud.bigquery.BigQuery;
import com.google.cloud.bigquery.Field;
import com.google.cloud.bigquery.FieldList;
import com.google.cloud.bigquery.Schema;
import com.google.cloud.bigquery.StandardTableDefinition;
import com.google.cloud.bigquery.Table;
import com.google.cloud.bigquery.TableDefinition;
import com.google.cloud.bigquery.TableId;
import dev.fanout.analytics.AnalyticsSchemaException;
import dev.fanout.analytics.schema.AnalyticsSchema;
import dev.fanout.analytics.schema.Column;
import dev.fanout.analytics.schema.SqlDdl;
import dev.fanout.analytics.schema.TableDef;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jboss.logging.Logger;

/**
 * Compares the live tables (REST {@code tables.get}) with {@link AnalyticsSchema}: every column must
 * exist with its type and, if REQUIRED here, must not be NULLABLE there (the reverse is fine).
 * Extra columns are fine: the writer only writes its own. A mismatch is reported with the DDL that
 * fixes it. Partitioning and clustering differences are logged, not failed: rows still load.
 */
public final class BigQuerySchemaCheck {

    private static final Logger LOG = Logger.getLogger(BigQuerySchemaCheck.class);

    private final BigQuery bigQuery;
    private final String project;
    private final String dataset;

    public BigQuerySchemaCheck(BigQuery bigQuery, String project, String dataset) {
        this.bigQuery = bigQuery;
        this.project = project;
        this.dataset = dataset;
    }

    /** Throws {@link AnalyticsSchemaException} with every problem and the DDL to run; returns if the tables fit. */
    public void check() throws AnalyticsSchemaException {
        List<String> problems = new ArrayList<>();
        List<String> ddl = new ArrayList<>();
        for (TableDef t : AnalyticsSchema.TABLES) {
            checkTable(t, problems, ddl);
        }
        if (!problems.isEmpty()) {
            throw new AnalyticsSchemaException("BigQuery tables in " + project + "." + dataset
                    + " do not match the analytics schema: " + String.join("; ", problems)
                    + ". Run (bq query --use_legacy_sql=false, or apply the deploy's Terraform):\n" + String.join(";\n", ddl) + ";");
        }
    }

    private void checkTable(TableDef t, List<String> problems, List<String> ddl) {
        Table live = bigQuery.getTable(TableId.of(project, dataset, t.name()));
        if (live == null) {
            problems.add("table " + t.name() + " does not exist");
            ddl.add(SqlDdl.bigQueryCreateTable(project, dataset, t));
            return;
        }
        TableDefinition def = live.getDefinition();
        Schema schema = def == null ? null : def.getSchema();
        FieldList fields = schema == null ? FieldList.of() : schema.getFields();
        boolean recreate = false;
        for (Column c : t.columns()) {
            Field f = find(fields, c.name());
            if (f == null) {
                problems.add(t.name() + "." + c.name() + " is missing");
                if (c.required()) {
                    // BigQuery adds NULLABLE columns only.
                    recreate = true;
                } else {
                    ddl.add(SqlDdl.bigQueryAddColumn(project, dataset, t, c));
                }
                continue;
            }
            String type = f.getType() == null ? "?" : f.getType().name();
            if (!c.type().bigQuery().equals(type)) {
                problems.add(t.name() + "." + c.name() + " is " + type + ", expected " + c.type().bigQuery());
                recreate = true;
            }
            if (f.getMode() == Field.Mode.REPEATED) {
                problems.add(t.name() + "." + c.name() + " is REPEATED, expected " + c.mode());
                recreate = true;
            }
        }
        if (recreate) {
            ddl.add("-- " + t.name() + " cannot be altered into shape: recreate it (its rows expire anyway; the archive keeps everything)\n"
                    + "DROP TABLE " + SqlDdl.bigQueryRef(project, dataset, t.name()) + ";\n"
                    + SqlDdl.bigQueryCreateTable(project, dataset, t));
        }
        if (def instanceof StandardTableDefinition std) {
            String partitionField = std.getTimePartitioning() == null ? null : std.getTimePartitioning().getField();
            if (!t.partitionColumn().equals(partitionField)) {
                LOG.warnf("BigQuery %s.%s.%s is partitioned on %s, expected DAY on %s (queries scan more, rows load fine)",
                        project, dataset, t.name(), partitionField, t.partitionColumn());
            }
        }
    }

    private static Field find(FieldList fields, String name) {
        for (Field f : fields) {
            if (f.getName().toLowerCase(Locale.ROOT).equals(name)) {
                return f;
            }
        }
        return null;
    }
}
