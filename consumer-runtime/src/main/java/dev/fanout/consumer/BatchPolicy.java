package dev.fanout.consumer;

import java.time.Duration;
import java.util.Objects;

/**
 * When a {@link SinkBatcher} flushes: whichever limit is reached first.
 *
 * @param maxEvents     envelopes per batch (a single larger message still forms one batch)
 * @param maxBytes      received message data bytes per batch (compressed size for packed messages)
 * @param maxAge        how long the oldest message of a batch may wait for company
 * @param queueMessages messages accepted but not yet taken into a batch; beyond it {@link SinkBatcher#offer} refuses
 * @param queueBytes    message data bytes accepted but not yet taken into a batch; same
 */
public record BatchPolicy(int maxEvents, long maxBytes, Duration maxAge, int queueMessages, long queueBytes) {
    public BatchPolicy {
        Objects.requireNonNull(maxAge, "maxAge");
        if (maxEvents < 1 || maxBytes < 1 || queueMessages < 1 || queueBytes < 1 || maxAge.isNegative()) {
            throw new IllegalArgumentException("batch limits must be positive: " + maxEvents + ", " + maxBytes
                    + ", " + maxAge + ", " + queueMessages + ", " + queueBytes);
        }
    }
}
