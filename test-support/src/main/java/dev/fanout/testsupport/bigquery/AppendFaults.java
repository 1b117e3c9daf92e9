package dev.fanout.testsupport.bigquery;

import io.grpc.Status;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * Faults {@link BigQueryWriteFake} injects into AppendRows. Thread-safe.
 *
 * <ul>
 * <li>{@link #failNext} / {@link #failFor}: the next N requests, or every request during a window,
 * fail with the code. UNAVAILABLE closes the connection (the real service's way; the client
 * reconnects and resends); other codes answer the request with an in-stream error (the client
 * retries those it may, RESOURCE_EXHAUSTED with backoff).</li>
 * <li>{@link #rejectRows}: rows matching the predicate get a row error with the message; as on the
 * real service, a request with any row error writes none of its rows.</li>
 * </ul>
 */
public final class AppendFaults {

    private record Window(Status.Code code, long untilNanos) {}

    private record RowRule(Predicate<Map<String, Object>> predicate, String message) {}

    private final CopyOnWriteArrayList<RowRule> rowRules = new CopyOnWriteArrayList<>();
    private Status.Code nextCode;
    private int nextCount;
    private Window window;

    /** The next {@code count} AppendRows requests fail with {@code code}. */
    public synchronized AppendFaults failNext(Status.Code code, int count) {
        nextCode = code;
        nextCount = count;
        return this;
    }

    /** Every AppendRows request fails with {@code code} for {@code duration} from now. */
    public synchronized AppendFaults failFor(Status.Code code, Duration duration) {
        window = new Window(code, System.nanoTime() + duration.toNanos());
        return this;
    }

    /** Rows (column name → value as decoded, see {@link BigQueryWriteFake#rows}) matching {@code p} are refused with {@code message}. */
    public AppendFaults rejectRows(Predicate<Map<String, Object>> p, String message) {
        rowRules.add(new RowRule(p, message));
        return this;
    }

    /** Removes every fault. */
    public synchronized void clear() {
        nextCode = null;
        nextCount = 0;
        window = null;
        rowRules.clear();
    }

    /** The code the next request must fail with, consuming one of {@link #failNext}; null for none. */
    synchronized Status.Code take() {
        if (window != null) {
            if (System.nanoTime() - window.untilNanos < 0) {
                return window.code;
            }
            window = null;
        }
        if (nextCount > 0) {
            nextCount--;
            return nextCode;
        }
        return null;
    }

    /** The message of the first rule the row breaks; null if none. */
    String rowError(Map<String, Object> row) {
        for (RowRule r : rowRules) {
            if (r.predicate.test(row)) {
                return r.message;
            }
        }
        return null;
    }
}
