package dev.fanout.analytics.bigquery;

import com.google.api.core.ApiFuture;
import com.google.cloud.bigquery.storage.v1.Exceptions;
import com.google.cloud.bigquery.storage.v1.ProtoRows;
import com.google.cloud.bigquery.storage.v1.StreamWriter;
import com.google.protobuf.ByteString;
import dev.fanout.analytics.AnalyticsRetryClassifier;
import dev.fanout.analytics.AnalyticsSchemaException;
import dev.fanout.events.port.RecordOutcome;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * Appends the rows of one table to its default stream through one {@link StreamWriter} (one writer
 * per table; with the connection pool the writers share connections).
 *
 * <p>Rows are cut into requests of at most {@code maxAppendBytes}, appended back to back, then
 * awaited. A request the server refuses with row errors wrote nothing: the indexed rows are
 * rejected with the server's message and the rest is appended again. A request refused as a whole
 * for a reason that is not transient is split in two until the row at fault is alone (then
 * rejected) — unless the live schema is wrong, which stalls everything instead
 * ({@link AnalyticsSchemaException}). Transient failures, after the client's own retries, leave
 * their rows {@link RecordOutcome.Kind#RETRY}.
 */
final class BigQueryTableAppender implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(BigQueryTableAppender.class);

    /** Builds a (new) writer: the first one, and after the client closed one. */
    interface WriterFactory {
        StreamWriter create() throws Exception;
    }

    /** Asked when the server refuses an append as a whole: throws if the live schema is the cause. */
    interface SchemaProbe {
        void check() throws AnalyticsSchemaException;
    }

    private final String table;
    private final WriterFactory factory;
    private final SchemaProbe schema;
    private final int maxAppendBytes;
    private StreamWriter writer;

    /** Requests sent and their sizes, for tests and metrics. */
    private long requests;
    private long requestBytes;

    BigQueryTableAppender(String table, WriterFactory factory, SchemaProbe schema, int maxAppendBytes) {
        this.table = table;
        this.factory = factory;
        this.schema = schema;
        this.maxAppendBytes = maxAppendBytes;
    }

    /** Result of {@link #append}: per input row, null when written, else why not; plus the last transient failure. */
    record Result(RecordOutcome[] outcomes, Throwable lastTransient) {}

    /** An append in progress: its first requests are on the wire. */
    final class Pending {
        final List<ByteString> rows;
        final RecordOutcome[] out;
        final List<Chunk> sent = new ArrayList<>();
        final List<ApiFuture<?>> futures = new ArrayList<>();
        final List<Throwable> sendFailures = new ArrayList<>();

        Pending(List<ByteString> rows, RecordOutcome[] out) {
            this.rows = rows;
            this.out = out;
        }

        void send(Chunk c) {
            sent.add(c);
            try {
                futures.add(writer().append(c.protoRows(rows)));
                sendFailures.add(null);
                requests++;
                requestBytes += c.bytes;
            } catch (Exception e) {
                // Synchronous refusals: writer closed, in-flight quota wait exceeded, …
                futures.add(null);
                sendFailures.add(e);
            }
        }
    }

    /** Sends the rows' requests without waiting (so both tables' appends overlap). */
    Pending begin(List<ByteString> rows) {
        Pending p = new Pending(rows, new RecordOutcome[rows.size()]);
        for (Chunk c : split(rows, p.out)) {
            p.send(c);
        }
        return p;
    }

    /**
     * Waits for the requests of {@link #begin}, re-appends what row errors left over, and returns
     * by {@code deadlineNanos}. Throws only for a schema mismatch and for interruption.
     */
    Result finish(Pending p, long deadlineNanos) throws AnalyticsSchemaException, InterruptedException {
        RecordOutcome[] out = p.out;
        Throwable lastTransient = null;
        Pending round = p;
        while (!round.sent.isEmpty()) {
            Deque<Chunk> again = new ArrayDeque<>();
            for (int k = 0; k < round.sent.size(); k++) {
                Chunk c = round.sent.get(k);
                Throwable failure = round.sendFailures.get(k);
                if (failure == null) {
                    try {
                        long left = deadlineNanos - System.nanoTime();
                        round.futures.get(k).get(Math.max(0, left), TimeUnit.NANOSECONDS);
                        continue;
                    } catch (ExecutionException e) {
                        failure = e.getCause() == null ? e : e.getCause();
                    } catch (TimeoutException e) {
                        failure = new TimeoutException("append to " + table + " not confirmed before the batch deadline");
                    }
                }
                if (failure instanceof Exceptions.AppendSerializationError rowErrors
                        && !rowErrors.getRowIndexToErrorMessage().isEmpty()) {
                    Set<Integer> bad = new HashSet<>();
                    for (Map.Entry<Integer, String> e : rowErrors.getRowIndexToErrorMessage().entrySet()) {
                        if (e.getKey() >= 0 && e.getKey() < c.rows.size()) {
                            out[c.rows.get(e.getKey())] = RecordOutcome.rejected(table + ": " + e.getValue());
                            bad.add(e.getKey());
                        }
                    }
                    Chunk rest = c.without(bad);
                    LOG.debugf("%s: %d row(s) rejected by the server, re-appending %d", table, bad.size(), rest.rows.size());
                    if (!rest.rows.isEmpty()) {
                        again.add(rest);
                    }
                } else if (AnalyticsRetryClassifier.isTransient(failure)) {
                    lastTransient = failure;
                    for (int row : c.rows) {
                        out[row] = RecordOutcome.retry(table + ": " + describe(failure));
                    }
                    if (failure instanceof Exceptions.StreamWriterClosedException || (writer != null && writer.isClosed())) {
                        discardWriter();
                    }
                } else {
                    if (isWholeRequestInvalid(failure)) {
                        // Typically a column the table lacks or of another type: stall, don't dead-letter.
                        schema.check();
                    }
                    if (c.rows.size() == 1) {
                        out[c.rows.get(0)] = RecordOutcome.rejected(table + ": " + describe(failure));
                    } else {
                        again.addAll(c.halves());
                    }
                }
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            Pending next = new Pending(p.rows, out);
            for (Chunk c : again) {
                next.send(c);
            }
            round = next;
        }
        return new Result(out, lastTransient);
    }

    /** Requests of at most {@code maxAppendBytes}; a row too large for any request is rejected. */
    private List<Chunk> split(List<ByteString> rows, RecordOutcome[] out) {
        List<Chunk> chunks = new ArrayList<>();
        Chunk current = new Chunk();
        for (int i = 0; i < rows.size(); i++) {
            int size = rows.get(i).size() + BigQueryLimits.ROW_OVERHEAD_BYTES;
            if (size > maxAppendBytes - 1024) {
                out[i] = RecordOutcome.rejected(table + ": row of " + size + " bytes exceeds the append limit of "
                        + maxAppendBytes + " bytes");
                continue;
            }
            if (current.bytes + size > maxAppendBytes - 1024) {
                chunks.add(current);
                current = new Chunk();
            }
            current.add(i, size);
        }
        if (!current.rows.isEmpty()) {
            chunks.add(current);
        }
        return chunks;
    }

    private static boolean isWholeRequestInvalid(Throwable t) {
        return t instanceof StatusRuntimeException s && s.getStatus().getCode() == Status.Code.INVALID_ARGUMENT
                && !(t instanceof Exceptions.AppendSerializationError);
    }

    private StreamWriter writer() throws Exception {
        if (writer == null || writer.isClosed()) {
            discardWriter();
            try {
                writer = factory.create();
            } catch (Exception e) {
                // Not a verdict on the rows (credentials, network, configuration): stall, never dead-letter.
                throw new java.io.IOException("cannot open the Write API writer for " + table + ": " + describe(e), e);
            }
        }
        return writer;
    }

    private void discardWriter() {
        if (writer != null) {
            try {
                writer.close();
            } catch (RuntimeException e) {
                LOG.debugf(e, "%s: closing a failed writer", table);
            }
            writer = null;
        }
    }

    long requests() {
        return requests;
    }

    long requestBytes() {
        return requestBytes;
    }

    @Override
    public void close() {
        discardWriter();
    }

    static String describe(Throwable t) {
        String m = t.getMessage();
        String s = t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
        return s.length() <= 500 ? s : s.substring(0, 500) + "…";
    }

    /** Indices (into the caller's rows) of one request. */
    private static final class Chunk {
        final List<Integer> rows = new ArrayList<>();
        long bytes;

        void add(int row, int size) {
            rows.add(row);
            bytes += size;
        }

        ProtoRows protoRows(List<ByteString> all) {
            ProtoRows.Builder b = ProtoRows.newBuilder();
            for (int r : rows) {
                b.addSerializedRows(all.get(r));
            }
            return b.build();
        }

        Chunk without(Set<Integer> positions) {
            Chunk c = new Chunk();
            for (int p = 0; p < rows.size(); p++) {
                if (!positions.contains(p)) {
                    c.rows.add(rows.get(p));
                }
            }
            c.bytes = bytes; // an upper bound is enough
            return c;
        }

        List<Chunk> halves() {
            Chunk a = new Chunk();
            Chunk b = new Chunk();
            int mid = rows.size() / 2;
            for (int p = 0; p < rows.size(); p++) {
                (p < mid ? a : b).rows.add(rows.get(p));
            }
            a.bytes = bytes;
            b.bytes = bytes;
            return List.of(a, b);
        }
    }
}
