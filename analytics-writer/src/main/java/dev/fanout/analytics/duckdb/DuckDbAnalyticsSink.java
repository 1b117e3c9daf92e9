package dev.fanout.analytics.duckdb;

import dev.fanout.analytics.AnalyticsRetryClassifier;
import dev.fanout.analytics.AnalyticsSink;
import dev.fanout.analytics.row.AnalyticsRow;
import dev.fanout.analytics.row.RowField;
import dev.fanout.analytics.schema.AnalyticsSchema;
import dev.fanout.events.port.SinkRecord;
import dev.fanout.events.port.WriteBatch;
import dev.fanout.events.port.WriteResult;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.jboss.logging.Logger;

/**
 * The analytics sink on the local DuckDB file: one row per event in {@link DuckDbLayout#STORE},
 * which the {@code events_raw} and {@code events} views show as on BigQuery (events older than
 * {@code events}' expiry in {@code events_raw} only), appended through DuckDB's Appender, one
 * transaction per batch, so a batch is in both views or in neither. Commit means
 * the WAL is on disk; then the runtime acks. DuckDB checkpoints (folds the WAL into the file) when
 * the WAL reaches {@code checkpoint_threshold}, which {@link DuckDbAnalyticsStore} raises: see
 * there why.
 *
 * <p>Expiry is a delete here (no partitions): once an hour the rows neither view shows any more go.
 */
public final class DuckDbAnalyticsSink implements AnalyticsSink {

    private static final Logger LOG = Logger.getLogger(DuckDbAnalyticsSink.class);
    private static final Duration EXPIRY_INTERVAL = Duration.ofHours(1);

    private final DuckDbAnalyticsStore store;
    private final Clock clock;
    /** The store's schema columns' values, in its column order ({@code schema} and {@code time_source} follow). */
    private static final RowField[] FIELDS = DuckDbLayout.COLUMNS.stream().filter(c -> c.schema() != null)
            .map(c -> RowField.forColumn(c.name())).toArray(RowField[]::new);
    private Instant lastExpiry = Instant.MIN;

    public DuckDbAnalyticsSink(DuckDbAnalyticsStore store, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public DuckDbAnalyticsStore store() {
        return store;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public WriteResult write(WriteBatch batch) throws Exception {
        Instant now = clock.instant();
        List<SinkRecord> records = batch.records();
        DuckDBConnection c = store.writeConnection();
        synchronized (store) {
            // An explicit BEGIN, not setAutoCommit(false): DuckDB's JDBC driver leaves the Appender's
            // flushes (every 2,048 rows, and at close) outside that transaction, so each committed on
            // its own and a batch that failed part-way left its first rows behind.
            try (Statement tx = c.createStatement()) {
                tx.execute("BEGIN TRANSACTION");
                try {
                    try (DuckDBAppender a = c.createAppender(DuckDbLayout.STORE)) {
                        AnalyticsRow row = null;
                        for (SinkRecord r : records) {
                            row = new AnalyticsRow(r, now, row);
                            appendRow(a, row);
                        }
                    }
                    tx.execute("COMMIT");
                } catch (SQLException | RuntimeException e) {
                    rollback(tx);
                    throw e;
                }
            }
            if (now.isAfter(lastExpiry.plus(EXPIRY_INTERVAL))) {
                expire(c, now);
                lastExpiry = now;
            }
        }
        return WriteResult.allDelivered();
    }

    /** One row of the store: its schema columns in {@link DuckDbLayout#COLUMNS} order, then {@code schema}, {@code time_source}. */
    static void appendRow(DuckDBAppender a, AnalyticsRow row) throws SQLException {
        a.beginRow();
        appendValues(a, FIELDS, row);
        a.append(row.record().envelope().schema());
        a.append(row.record().envelope().timeSource().wireName());
        a.endRow();
    }

    /** The row's values of {@code fields}, in order, into the appender's current row. */
    static void appendValues(DuckDBAppender a, RowField[] fields, AnalyticsRow row) throws SQLException {
        for (RowField f : fields) {
            Object v = f.get(row);
            if (v == null) {
                a.appendNull();
            } else if (v instanceof String s) {
                a.append(s);
            } else if (v instanceof Instant t) {
                a.appendEpochMicros(Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000));
            } else if (v instanceof byte[] json) {
                // UTF-8 as it is: no String decoded here only for the appender to encode it again.
                a.append(json);
            } else {
                throw new IllegalStateException("unexpected value " + v.getClass() + " for " + f.column());
            }
        }
    }

    private void expire(DuckDBConnection c, Instant now) {
        try (Statement s = c.createStatement()) {
            int n = s.executeUpdate(DuckDbLayout.expire(now));
            if (n > 0) {
                LOG.infof("analytics: %d rows past the expiry of both events_raw (%d days) and events (%d days) deleted", n,
                        AnalyticsSchema.RAW_EXPIRATION_DAYS, AnalyticsSchema.EVENTS_EXPIRATION_DAYS);
            }
        } catch (SQLException e) {
            LOG.warnf(e, "analytics: expiring %s failed; next try in an hour", DuckDbLayout.STORE);
        }
    }

    private static void rollback(Statement tx) {
        try {
            tx.execute("ROLLBACK");
        } catch (SQLException e) {
            LOG.debugf(e, "analytics: rollback failed");
        }
    }

    @Override
    public boolean isTransient(Throwable failure) {
        return AnalyticsRetryClassifier.isTransient(failure);
    }

    @Override
    public void checkReady() throws SQLException {
        synchronized (store) {
            try (Statement s = store.writeConnection().createStatement()) {
                s.executeQuery("SELECT 1 FROM " + AnalyticsSchema.EVENTS_RAW + " LIMIT 0").close();
            }
        }
    }

    @Override
    public String describe() {
        return "DuckDB " + store.path();
    }

    /** The store belongs to its producer (the query endpoint uses it too), which closes it. */
    @Override
    public void close() {}
}
