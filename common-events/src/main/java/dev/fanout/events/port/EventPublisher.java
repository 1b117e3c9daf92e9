package dev.fanout.events.port;

import dev.fanout.events.BusMessage;
import java.util.concurrent.CompletableFuture;

/**
 * Port to the event bus (Pub/Sub in the cloud, the in-process bus locally).
 *
 * <p>The returned future completes with the bus's message id only once the bus has durably
 * accepted the message; it completes exceptionally on any failure. Callers acknowledge their own
 * sender only after every future of a request has completed successfully.
 */
public interface EventPublisher {

    /** Publishes one message; never blocks for the network (backpressure is signalled by {@link BackpressureException}). */
    CompletableFuture<String> publish(BusMessage message);

    /** Whether the bus currently looks able to accept messages (for readiness). */
    default boolean healthy() {
        return true;
    }

    /** Bytes handed to {@link #publish} and not yet confirmed or failed. */
    long outstandingBytes();

    /** Thrown (or used to complete a future) when accepting more would exceed the outstanding-bytes bound. */
    final class BackpressureException extends RuntimeException {
        public BackpressureException(String message) {
            super(message);
        }
    }
}
