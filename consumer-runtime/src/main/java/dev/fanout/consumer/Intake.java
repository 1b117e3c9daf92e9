package dev.fanout.consumer;

import java.time.Duration;
import java.util.Collection;

/**
 * How messages reach the sinks' batchers: push, pull or the local bus, behind one interface so the
 * runtime starts, health-checks and stops them the same way.
 *
 * <p>Shutdown order, driven by the runtime: {@link #stopIntake} (nothing new is taken in; what
 * arrives is held, never nacked), then every batcher flushes, then {@link #close}.
 */
public interface Intake {

    /** Starts delivering to the batchers (one per sink). */
    void start(Collection<SinkBatcher> batchers) throws Exception;

    /** Stops taking messages in, within {@code timeout}; called before the final flush. */
    default void stopIntake(Duration timeout) throws InterruptedException {}

    /** Releases the transport once the batchers flushed and their acks went out. */
    default void close(Duration timeout) {}

    /** What keeps this sink's delivery from working (e.g. its subscriber is restarting); null when fine. */
    default String problem(String sink) {
        return null;
    }
}
