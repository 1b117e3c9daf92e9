package dev.fanout.consumer;

import dev.fanout.events.port.EventPublisher;
import dev.fanout.journal.Backlog;
import java.time.Duration;
import java.util.Map;

/**
 * The bus of local mode: the ingest bridge publishes into it, and the consumer runtime subscribes
 * one {@link SinkBatcher} per sink. Two implementations: {@code DurableBus} (the default, the
 * on-disk journal of module local-journal) and the in-memory {@link LocalBus} (tests, and where
 * losing the backlog with the process is acceptable).
 */
public interface InProcessBus extends EventPublisher, AutoCloseable {

    /**
     * How many messages (and their bytes) one subscription may hold handed out and not yet acked.
     * See {@link LocalSubscriptionBounds} for why it follows the sink's batch.
     */
    record Bounds(int maxUnsettledMessages, long maxUnsettledBytes) {
        public Bounds {
            if (maxUnsettledMessages < 1 || maxUnsettledBytes < 1) {
                throw new IllegalArgumentException("bounds must be positive: " + maxUnsettledMessages + ", " + maxUnsettledBytes);
            }
        }
    }

    /** Adds subscription {@code name}; every message published is delivered to {@code handler}. */
    void subscribe(String name, LocalBus.Handler handler, Bounds bounds);

    /**
     * Stops accepting publishes, then waits (at most {@code timeout}) until every subscription has
     * handed what it holds to its handler. Returns whether everything was handed over.
     */
    boolean drain(Duration timeout) throws InterruptedException;

    /** Waits until every subscription acked everything published (or the timeout passed). */
    boolean awaitAllAcked(Duration timeout) throws InterruptedException;

    /** Per subscription, in subscription order: what it has not acked yet. */
    Map<String, Backlog> backlog();

    /** Whether what is not acked survives this process (a journal on disk) or dies with it (memory). */
    boolean durable();

    /** One line for logs and the banner: kind, location, fsync policy, bound. */
    String describe();

    /** Stops dispatching and releases resources; a durable bus keeps what is not acked for the next start. */
    @Override
    void close();
}
