package dev.fanout.analytics.query;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.analytics.duckdb.DuckDbAnalyticsStore;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.duckdb.DuckDBConnection;
import org.duckdb.DuckDBPreparedStatement;
import org.duckdb.DuckDBResultSetMetaData;
import org.duckdb.StatementReturnType;

/**
 * Runs one read-only SQL statement against the local analytics database, bounded in rows and time.
 * Read-only three ways: a single statement that must be a query, inside a {@code READ ONLY}
 * transaction, on a database without file system access.
 */
public final class QueryService implements AutoCloseable {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Why a query was refused; the resource maps it to a status and a JSON error body. */
    public static final class QueryException extends Exception {
        public final int status;
        public final String code;

        QueryException(int status, String code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }
    }

    private final DuckDbAnalyticsStore store;
    private final int maxRows;
    private final Duration timeout;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fanout-query-timeout");
        t.setDaemon(true);
        return t;
    });

    public QueryService(DuckDbAnalyticsStore store, int maxRows, Duration timeout) {
        this.store = store;
        this.maxRows = maxRows;
        this.timeout = timeout;
    }

    /** {@code {"columns":[{"name","type"}], "rows":[[…]], "row_count", "truncated", "elapsed_ms"}}. */
    public ObjectNode run(String sql) throws QueryException {
        long t0 = System.nanoTime();
        try (DuckDBConnection c = store.readOnlyConnection()) {
            DuckDBPreparedStatement ps;
            try {
                ps = c.prepare(sql);
            } catch (SQLException e) {
                throw new QueryException(400, "invalid_sql", firstLine(e));
            }
            try (ps) {
                if (((DuckDBResultSetMetaData) ps.getMetaData()).getReturnType() != StatementReturnType.QUERY_RESULT) {
                    throw new QueryException(400, "not_a_query", "only a single read-only query (SELECT, WITH …, DESCRIBE, SHOW) is accepted");
                }
                AtomicBoolean timedOut = new AtomicBoolean();
                ScheduledFuture<?> cancel = timer.schedule(() -> {
                    timedOut.set(true);
                    try {
                        ps.cancel();
                    } catch (SQLException ignored) {
                        // the query finished meanwhile
                    }
                }, timeout.toMillis(), TimeUnit.MILLISECONDS);
                try (ResultSet rs = ps.executeQuery()) {
                    return render(rs, t0);
                } catch (SQLException e) {
                    if (timedOut.get()) {
                        throw new QueryException(408, "timeout", "the query ran longer than " + timeout + " and was cancelled");
                    }
                    throw new QueryException(400, "query_failed", firstLine(e));
                } finally {
                    cancel.cancel(false);
                }
            }
        } catch (SQLException e) {
            throw new QueryException(503, "unavailable", firstLine(e));
        }
    }

    private ObjectNode render(ResultSet rs, long t0) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        int n = md.getColumnCount();
        ObjectNode out = NODES.objectNode();
        ArrayNode cols = out.putArray("columns");
        for (int i = 1; i <= n; i++) {
            cols.addObject().put("name", md.getColumnLabel(i)).put("type", md.getColumnTypeName(i));
        }
        ArrayNode rows = out.putArray("rows");
        int count = 0;
        boolean truncated = false;
        while (rs.next()) {
            if (count == maxRows) {
                truncated = true;
                break;
            }
            ArrayNode row = rows.addArray();
            for (int i = 1; i <= n; i++) {
                Object v = rs.getObject(i);
                if (v == null) {
                    row.addNull();
                } else if (v instanceof Boolean b) {
                    row.add(b);
                } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
                    row.add(((Number) v).longValue());
                } else if (v instanceof Double || v instanceof Float) {
                    row.add(((Number) v).doubleValue());
                } else if (v instanceof BigDecimal d) {
                    row.add(d);
                } else if (v instanceof BigInteger b) {
                    row.add(b);
                } else {
                    // Timestamps as ISO-8601, JSON and everything else as text.
                    row.add(v.toString());
                }
            }
            count++;
        }
        out.put("row_count", count);
        out.put("truncated", truncated);
        out.put("elapsed_ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        return out;
    }

    private static String firstLine(SQLException e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
