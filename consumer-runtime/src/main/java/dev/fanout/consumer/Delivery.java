package dev.fanout.consumer;

import dev.fanout.events.ReceivedMessage;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One bus message handed to a {@link SinkBatcher}, with the way back to the bus.
 *
 * <p>Exactly one of {@link #ack()} / {@link #nack()} takes effect (the first); the other is then a
 * no-op. {@link #outcome()} completes with the decision, so a push request can wait on it and
 * a pull subscriber or the local bus can forward it to their own ack reply.
 */
public final class Delivery {

    /** What became of the message. */
    public enum Outcome {
        /** Every record delivered or dead-lettered: the bus may forget the message. */
        ACKED,
        /** Not written: the bus must redeliver it. */
        NACKED
    }

    private final ReceivedMessage message;
    private final Runnable onAck;
    private final Runnable onNack;
    private final AtomicBoolean settled = new AtomicBoolean();
    private final CompletableFuture<Outcome> outcome = new CompletableFuture<>();

    private Delivery(ReceivedMessage message, Runnable onAck, Runnable onNack) {
        this.message = Objects.requireNonNull(message, "message");
        this.onAck = onAck;
        this.onNack = onNack;
    }

    /** A delivery whose decision is only observed through {@link #outcome()}. */
    public static Delivery of(ReceivedMessage message) {
        return new Delivery(message, null, null);
    }

    /** A delivery that forwards the decision to the bus's own ack/nack calls. */
    public static Delivery of(ReceivedMessage message, Runnable onAck, Runnable onNack) {
        return new Delivery(message, Objects.requireNonNull(onAck), Objects.requireNonNull(onNack));
    }

    public ReceivedMessage message() {
        return message;
    }

    /** Completes with the decision; never completes exceptionally. */
    public CompletableFuture<Outcome> outcome() {
        return outcome;
    }

    /** Whether ack or nack was already called. */
    public boolean settled() {
        return settled.get();
    }

    /** Acknowledges; returns false if the delivery was already settled. */
    public boolean ack() {
        return settle(Outcome.ACKED, onAck);
    }

    /** Negatively acknowledges (redeliver); returns false if the delivery was already settled. */
    public boolean nack() {
        return settle(Outcome.NACKED, onNack);
    }

    private boolean settle(Outcome o, Runnable callback) {
        if (!settled.compareAndSet(false, true)) {
            return false;
        }
        try {
            if (callback != null) {
                callback.run();
            }
        } finally {
            outcome.complete(o);
        }
        return true;
    }
}
