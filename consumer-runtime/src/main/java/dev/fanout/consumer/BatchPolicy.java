package dev.fanout.consumer;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link SinkBatcher} batches and writes: a batch is written when whichever limit is reached
 * first; memory is bounded by the queue limits, counted in decoded bytes.
 *
 * @param maxEvents     envelopes per batch (a single larger message still forms one batch)
 * @param maxBytes      decoded envelope JSON bytes per batch (a single larger message still forms one batch)
 * @param maxAge        how long the oldest message of a batch may wait for company
 * @param queueMessages messages accepted (or being decoded) but not yet taken into a batch; beyond
 *                      it {@link SinkBatcher#offer} refuses and {@link SinkBatcher#submit} waits
 * @param queueBytes    decoded bytes of those messages (an estimate while they are being decoded); same
 * @param writers       writer threads of the sink, i.e. writes that may run at once
 * @param writeTimeout  deadline of one {@code EventSink.write} call
 */
public record BatchPolicy(int maxEvents, long maxBytes, Duration maxAge, int queueMessages, long queueBytes,
                          int writers, Duration writeTimeout) {

    /** One writer, 60 s per write. */
    public static final int DEFAULT_WRITERS = 1;
    public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(60);

    public BatchPolicy {
        Objects.requireNonNull(maxAge, "maxAge");
        Objects.requireNonNull(writeTimeout, "writeTimeout");
        if (maxEvents < 1 || maxBytes < 1 || queueMessages < 1 || queueBytes < 1 || maxAge.isNegative()
                || writers < 1 || writeTimeout.isNegative() || writeTimeout.isZero()) {
            throw new IllegalArgumentException("batch limits must be positive: " + maxEvents + ", " + maxBytes
                    + ", " + maxAge + ", " + queueMessages + ", " + queueBytes + ", " + writers + ", " + writeTimeout);
        }
    }

    /** With {@link #DEFAULT_WRITERS} and {@link #DEFAULT_WRITE_TIMEOUT}. */
    public BatchPolicy(int maxEvents, long maxBytes, Duration maxAge, int queueMessages, long queueBytes) {
        this(maxEvents, maxBytes, maxAge, queueMessages, queueBytes, DEFAULT_WRITERS, DEFAULT_WRITE_TIMEOUT);
    }
}
