package dev.fanout.consumer;

/**
 * The unsettled bound of a sink's local subscription, derived from the sink's batch (issue 7, the
 * "batching cliff"): a {@link SinkBatcher} acks a message only once its batch is written, so every
 * message of the batch being filled and of the queue in front of it is unsettled. A bound below
 * what one full batch plus the queue holds means the batch can never fill by count or bytes: the
 * bus stops delivering, and every batch waits its full {@code max-age} (with 10-event messages,
 * 1,000 messages per 2 s, ~500 requests/s, whatever the sink could write).
 */
public final class LocalSubscriptionBounds {

    /**
     * Slack on the byte bound: the bus counts a message's stored size (framing and attributes
     * included), the batcher its data bytes, and a batch closes only once it reached max-bytes.
     */
    static final int BYTE_SLACK_DIVISOR = 8;

    private LocalSubscriptionBounds() {}

    /**
     * At least {@code configured}; raised to a full batch of one-event messages plus the sink's
     * queue plus one message per dispatch thread waiting for room in that queue.
     *
     * @param configuredMessages {@code fanout.consumer.local.max-outstanding-messages}
     * @param configuredBytes    the bus's own per-subscription byte bound (lower limit)
     */
    public static InProcessBus.Bounds forBatch(BatchPolicy batch, int configuredMessages, long configuredBytes,
            int dispatchThreads) {
        long messages = (long) batch.maxEvents() + batch.queueMessages() + dispatchThreads;
        long bytes = batch.maxBytes() + batch.queueBytes();
        bytes += bytes / BYTE_SLACK_DIVISOR;
        return new InProcessBus.Bounds((int) Math.min(Integer.MAX_VALUE, Math.max(configuredMessages, messages)),
                Math.max(configuredBytes, bytes));
    }
}
