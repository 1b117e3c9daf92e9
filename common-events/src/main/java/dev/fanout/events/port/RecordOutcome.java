package dev.fanout.events.port;

import java.util.Objects;

/**
 * What became of one record of a {@link EventSink#write}: delivered (durably written), retry
 * (a transient failure of this record; the runtime writes it again later) or rejected (it can
 * never be written; the runtime keeps it in the dead-letter store with {@link #reason()}).
 */
public final class RecordOutcome {

    /** The three outcomes. */
    public enum Kind {
        /** Durably written: the record's share of its message may be acknowledged. */
        DELIVERED,
        /** Not written for a reason that may pass (throttling, 5xx): write it again. */
        RETRY,
        /** Never writable as is (validation error, 4xx): dead-letter it with the reason. */
        REJECTED
    }

    /** The one delivered outcome. */
    public static final RecordOutcome DELIVERED = new RecordOutcome(Kind.DELIVERED, null);

    private final Kind kind;
    private final String reason;

    private RecordOutcome(Kind kind, String reason) {
        this.kind = kind;
        this.reason = reason;
    }

    /** A transient failure of this record; {@code reason} is logged and counted. */
    public static RecordOutcome retry(String reason) {
        return new RecordOutcome(Kind.RETRY, Objects.requireNonNull(reason, "reason"));
    }

    /** A permanent failure of this record; {@code reason} is kept with the dead letter (e.g. the server's message). */
    public static RecordOutcome rejected(String reason) {
        return new RecordOutcome(Kind.REJECTED, Objects.requireNonNull(reason, "reason"));
    }

    public Kind kind() {
        return kind;
    }

    /** Why the record was not delivered; null when it was. */
    public String reason() {
        return reason;
    }

    public boolean delivered() {
        return kind == Kind.DELIVERED;
    }

    @Override
    public String toString() {
        return reason == null ? kind.name() : kind + "(" + reason + ")";
    }
}
