package dev.fanout.events.port;

import dev.fanout.events.Envelope;
import java.util.Objects;

/**
 * One event as a sink receives it: the envelope and the bus message it came in.
 *
 * @param envelope the event
 * @param message  its message's metadata (shared by every record of that message)
 */
public record SinkRecord(Envelope envelope, MessageMeta message) {

    public SinkRecord {
        Objects.requireNonNull(envelope, "envelope");
        Objects.requireNonNull(message, "message");
    }

    /** The envelope's id: the idempotency key of every write. */
    public String id() {
        return envelope.id();
    }
}
