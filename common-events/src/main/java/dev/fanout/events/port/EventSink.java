package dev.fanout.events.port;

import dev.fanout.events.Envelope;
import java.util.Map;

/**
 * Port to one destination of the fan-out (R2 archive, BigQuery, alert e-mail, …).
 *
 * <p>The consumer runtime batches the records of many bus messages and calls {@link #write}. The
 * sink answers per record ({@link WriteResult}): delivered, retry (transient) or rejected
 * (permanent, with a reason). The runtime then retries what should be retried, keeps what was
 * rejected in the dead-letter store, and acknowledges a message only once every one of its records
 * was delivered or dead-lettered. One bad record therefore never costs its neighbours.
 *
 * <p>A {@code write} that throws failed as a whole: if {@link #isTransient} says the failure may
 * pass, the runtime retries the batch with backoff; if not, it bisects the batch to isolate the
 * record(s) at fault and rejects only those. Implementations must be idempotent by
 * {@link Envelope#id()}: redelivery and replay are normal.
 */
public interface EventSink {

    /** Short, stable name used in metrics, logs, config and the dead-letter layout, e.g. {@code archive}. */
    String name();

    /**
     * Durably writes the batch's records and says what became of each. Called from the sink's
     * writer thread(s); may block, but must return or throw by {@link WriteBatch#deadlineNanos()}.
     * Records left undone at the deadline should be answered {@link RecordOutcome.Kind#RETRY}.
     */
    WriteResult write(WriteBatch batch) throws Exception;

    /**
     * The destination's retry classifier: whether a failure thrown by {@link #write} (or by the
     * destination's client) may succeed if retried (network, 5xx, throttling). Every sink states
     * its own: there is deliberately no default.
     */
    boolean isTransient(Throwable failure);

    /**
     * Whether a message with these attributes can hold a record this sink would write. When it
     * answers false the runtime acknowledges the message without decoding it, in batch order with
     * the others, and counts it in {@code fanout.consumer.skipped}. Only for decisions the
     * attributes settle for every record of the message (a replay marker a sink ignores, say);
     * the default, true, decodes everything.
     */
    default boolean wants(Map<String, String> messageAttributes) {
        return true;
    }

    /** Checks the destination the way a real write would (e.g. HEAD bucket); throws if not ready. */
    void checkReady() throws Exception;

    /** Flushes and releases resources; called once on shutdown after the last {@link #write}. */
    default void close() throws Exception {}
}
