package dev.fanout.analytics.row;

import dev.fanout.analytics.schema.Column;
import dev.fanout.analytics.schema.ColumnType;
import dev.fanout.analytics.schema.TableDef;
import dev.fanout.events.Envelope;

/**
 * Where each column's value comes from. Values are {@code String} (STRING), {@code Instant}
 * (TIMESTAMP), UTF-8 {@code byte[]} (JSON) or null.
 */
public enum RowField {
    ID("id", ColumnType.STRING) {
        @Override
        public Object get(AnalyticsRow r) {
            return r.record().id();
        }
    },
    TIME("time", ColumnType.TIMESTAMP) {
        @Override
        public Object get(AnalyticsRow r) {
            return r.record().envelope().time();
        }
    },
    RECEIVED_AT("received_at", ColumnType.TIMESTAMP) {
        @Override
        public Object get(AnalyticsRow r) {
            return r.record().envelope().receivedAt();
        }
    },
    LOADED_AT("loaded_at", ColumnType.TIMESTAMP) {
        @Override
        public Object get(AnalyticsRow r) {
            return r.loadedAt();
        }
    },
    MESSAGE_ID("message_id", ColumnType.STRING) {
        @Override
        public Object get(AnalyticsRow r) {
            return r.record().message().messageId();
        }
    },
    PUBLISHED_AT("published_at", ColumnType.TIMESTAMP) {
        @Override
        public Object get(AnalyticsRow r) {
            return r.record().message().publishTime();
        }
    },
    REPLAY("replay", ColumnType.STRING) {
        @Override
        public Object get(AnalyticsRow r) {
            return r.record().message().replay().orElse(null);
        }
    },
    ATTRIBUTES("attributes", ColumnType.JSON) {
        @Override
        public Object get(AnalyticsRow r) {
            return r.attributesJson();
        }
    },
    PAYLOAD("payload", ColumnType.JSON) {
        @Override
        public Object get(AnalyticsRow r) {
            return r.payloadJson();
        }
    },
    HOST("host", ColumnType.STRING) {
        @Override
        public Object get(AnalyticsRow r) {
            return r.record().envelope().host();
        }
    },
    SOURCE("source", ColumnType.STRING) {
        @Override
        public Object get(AnalyticsRow r) {
            return r.record().envelope().source();
        }
    },
    SOURCETYPE("sourcetype", ColumnType.STRING) {
        @Override
        public Object get(AnalyticsRow r) {
            return r.record().envelope().sourcetype();
        }
    },
    INDEX("index", ColumnType.STRING) {
        @Override
        public Object get(AnalyticsRow r) {
            return r.record().envelope().index();
        }
    },
    SEVERITY("severity", ColumnType.STRING) {
        @Override
        public Object get(AnalyticsRow r) {
            return r.record().envelope().severity().wireName();
        }
    },
    RAW("raw", ColumnType.STRING) {
        @Override
        public Object get(AnalyticsRow r) {
            return r.record().envelope().raw();
        }
    },
    FIELDS("fields", ColumnType.JSON) {
        @Override
        public Object get(AnalyticsRow r) {
            return r.fieldsJson();
        }
    },
    PARSE_ERROR("parse_error", ColumnType.STRING) {
        @Override
        public Object get(AnalyticsRow r) {
            Envelope e = r.record().envelope();
            return e.parseError();
        }
    };

    private final String column;
    private final ColumnType type;

    RowField(String column, ColumnType type) {
        this.column = column;
        this.type = type;
    }

    public abstract Object get(AnalyticsRow r);

    public String column() {
        return column;
    }

    public ColumnType type() {
        return type;
    }

    /** The field of every column of the table, in column order. */
    public static RowField[] of(TableDef table) {
        RowField[] out = new RowField[table.columns().size()];
        for (int i = 0; i < out.length; i++) {
            Column c = table.columns().get(i);
            out[i] = forColumn(c.name());
            if (out[i].type != c.type()) {
                throw new IllegalStateException(table.name() + "." + c.name() + " is " + c.type() + " but its value is " + out[i].type);
            }
        }
        return out;
    }

    public static RowField forColumn(String name) {
        for (RowField f : values()) {
            if (f.column.equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("no value source for column " + name);
    }
}
