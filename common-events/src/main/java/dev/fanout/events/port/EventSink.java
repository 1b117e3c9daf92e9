package dev.fanout.events.port;

import dev.fanout.events.Envelope;
import dev.fanout.events.ReceivedMessage;
import java.util.List;

/**
 * Port to one destination of the fan-out (R2 archive, BigQuery, alert e-mail, …).
 *
 * <p>The consumer runtime batches decoded envelopes from many bus messages and calls
 * {@link #write}; it acknowledges those messages only after {@code write} returned normally.
 * Implementations must therefore return only once every envelope is durably written, and must be
 * idempotent by {@link Envelope#id()} because redelivery is normal.
 */
public interface EventSink {

    /** Short, stable name used in metrics, logs and config, e.g. {@code archive}. */
    String name();

    /** Durably writes every envelope, or throws. Called from a worker thread; may block. */
    void write(List<Envelope> events) throws Exception;

    /**
     * Durably keeps a message that can never be decoded, as received (data and attributes), so that
     * it can be acknowledged instead of being redelivered forever.
     */
    void quarantine(ReceivedMessage message, String reason) throws Exception;

    /** Checks the destination the way a real write would (e.g. HEAD bucket); throws if not ready. */
    void checkReady() throws Exception;

    /**
     * Whether a failure of {@link #write} or {@link #quarantine} may succeed if retried (network,
     * 5xx, throttling). Permanent failures (bad credentials, invalid request) are still never acked:
     * they are nacked, counted and logged, and surface in readiness.
     */
    default boolean isTransient(Throwable failure) {
        return true;
    }

    /** Flushes and releases resources; called once on shutdown after the last {@link #write}. */
    default void close() throws Exception {}
}
