package dev.fanout.analytics.bigquery;

import com.google.cloud.bigquery.storage.v1.TableFieldSchema;
import com.google.cloud.bigquery.storage.v1.TableSchema;
import dev.fanout.analytics.schema.Column;
import dev.fanout.analytics.schema.TableDef;

/** {@link TableDef} as the Storage Write API's {@link TableSchema} (every field with an explicit mode). */
public final class StorageSchemas {

    private StorageSchemas() {}

    public static TableSchema of(TableDef t) {
        TableSchema.Builder b = TableSchema.newBuilder();
        for (Column c : t.columns()) {
            b.addFields(TableFieldSchema.newBuilder()
                    .setName(c.name())
                    .setType(switch (c.type()) {
                        case STRING -> TableFieldSchema.Type.STRING;
                        case TIMESTAMP -> TableFieldSchema.Type.TIMESTAMP;
                        case JSON -> TableFieldSchema.Type.JSON;
                    })
                    .setMode(c.required() ? TableFieldSchema.Mode.REQUIRED : TableFieldSchema.Mode.NULLABLE)
                    .setDescription(c.description()));
        }
        return b.build();
    }
}
