package dev.fanout.events.port;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What one {@link EventSink#write} call gets: the records, in order, and the deadline by which
 * the call must have returned (or thrown) so that the runtime can still settle the messages in
 * time (the push request's answer, the subscription's ack deadline, the shutdown budget).
 *
 * @param records       the records; a sink answers by their index
 * @param deadlineNanos {@link System#nanoTime()} by which the call must have returned
 */
public record WriteBatch(List<SinkRecord> records, long deadlineNanos) {

    public WriteBatch {
        records = List.copyOf(Objects.requireNonNull(records, "records"));
    }

    /** A batch whose deadline is {@code timeout} from now. */
    public static WriteBatch of(List<SinkRecord> records, Duration timeout) {
        return new WriteBatch(records, System.nanoTime() + timeout.toNanos());
    }

    public int size() {
        return records.size();
    }

    /** Time left until the deadline; zero or negative once it passed. */
    public Duration remaining() {
        return Duration.ofNanos(deadlineNanos - System.nanoTime());
    }

    /** Whether the deadline passed. */
    public boolean expired() {
        return deadlineNanos - System.nanoTime() <= 0;
    }
}
