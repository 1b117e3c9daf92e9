package dev.fanout.consumer.deadletter;

import dev.fanout.events.Envelope;
import dev.fanout.events.ReceivedMessage;
import java.util.Objects;

/**
 * One thing the runtime keeps instead of delivering: a record its sink rejected for good
 * ({@link #event} set) or a message that can never be decoded ({@link #event} null; its bytes are
 * kept as received).
 *
 * @param sink    the sink's name
 * @param message the bus message (its data is only stored for an undecodable message)
 * @param event   the rejected envelope, or null for an undecodable message
 * @param reason  why: the sink's or the decoder's words
 */
public record DeadLetter(String sink, ReceivedMessage message, Envelope event, String reason) {

    public DeadLetter {
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(reason, "reason");
    }

    public static DeadLetter rejected(String sink, ReceivedMessage message, Envelope event, String reason) {
        return new DeadLetter(sink, message, Objects.requireNonNull(event, "event"), reason);
    }

    public static DeadLetter undecodable(String sink, ReceivedMessage message, String reason) {
        return new DeadLetter(sink, message, null, reason);
    }

    /** {@code event} or {@code message}: the line's {@code kind}. */
    public String kind() {
        return event != null ? "event" : "message";
    }
}
