package dev.fanout.journal;

import dev.fanout.events.ReceivedMessage;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One message handed to a subscription's handler. Exactly one of {@link #ack()} / {@link #nack()}
 * takes effect (the first); an ack or nack of a delivery whose ack deadline already expired (so the
 * message was redelivered) is ignored by the bus. consumer-runtime adapts it to its own
 * {@code Delivery} with {@code Delivery.of(d.message(), d::ack, d::nack)}.
 */
public final class JournalDelivery {

    private final ReceivedMessage message;
    private final Runnable onAck;
    private final Runnable onNack;
    private final AtomicBoolean settled = new AtomicBoolean();

    JournalDelivery(ReceivedMessage message, Runnable onAck, Runnable onNack) {
        this.message = Objects.requireNonNull(message, "message");
        this.onAck = onAck;
        this.onNack = onNack;
    }

    /** The message; {@code messageId} is the journal's sequence number, unique across restarts. */
    public ReceivedMessage message() {
        return message;
    }

    public boolean settled() {
        return settled.get();
    }

    /** The sink has the message: the journal may forget it for this subscription. False if already settled. */
    public boolean ack() {
        return settle(onAck);
    }

    /** Not written: redeliver after the redelivery delay. False if already settled. */
    public boolean nack() {
        return settle(onNack);
    }

    private boolean settle(Runnable r) {
        if (!settled.compareAndSet(false, true)) {
            return false;
        }
        r.run();
        return true;
    }
}
