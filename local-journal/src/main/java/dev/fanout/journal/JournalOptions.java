package dev.fanout.journal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link DurableLocalBus}; {@link #defaults(Path)} plus the {@code with…} methods.
 * docs/local-bus.md lists them with the {@code fanout.consumer.local.*} keys they are meant to map to.
 *
 * @param dataDir              directory of the journal (segments/, subscriptions/, journal.lock); created if missing
 * @param fsyncPolicy          when appended records are forced to disk; default {@link FsyncPolicy#ALWAYS}
 * @param fsyncInterval        for {@link FsyncPolicy#INTERVAL}: longest time a written record stays unforced; default 100 ms
 * @param maxDiskBytes         bound of the segment files' total size; a publish that would pass it fails with
 *                             {@code BackpressureException}; default 1 GiB
 * @param segmentBytes         a segment is sealed and a new one started when the next record would pass this size
 *                             (a single larger record gets a segment of its own); default 64 MiB
 * @param maxUnsettledMessages messages per subscription handed out (or waiting for redelivery) and not yet acked;
 *                             default 10,000
 * @param maxUnsettledBytes    their bytes, per subscription (at least one message is always handed out); default 64 MiB
 * @param ackDeadline          a delivery neither acked nor nacked within this is redelivered; default 120 s
 * @param minRedeliveryDelay   delay before redelivering after the first nack; doubles per attempt; default 100 ms
 * @param maxRedeliveryDelay   cap of that delay; default 10 s
 * @param dispatchThreads      threads per subscription that read messages and hand them to its handler; default 2
 * @param checkpointInterval   how often the subscriptions' acknowledged positions are written to disk; after a crash
 *                             at most the acks of the last interval are redelivered; default 1 s
 * @param newSubscriptionStart where a subscription the journal has never seen starts; default {@link StartPosition#OLDEST}
 */
public record JournalOptions(Path dataDir, FsyncPolicy fsyncPolicy, Duration fsyncInterval, long maxDiskBytes,
                             long segmentBytes, int maxUnsettledMessages, long maxUnsettledBytes, Duration ackDeadline,
                             Duration minRedeliveryDelay, Duration maxRedeliveryDelay, int dispatchThreads,
                             Duration checkpointInterval, StartPosition newSubscriptionStart) {

    public static final long DEFAULT_MAX_DISK_BYTES = 1L << 30;
    public static final long DEFAULT_SEGMENT_BYTES = 64L << 20;

    public JournalOptions {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(fsyncPolicy, "fsyncPolicy");
        Objects.requireNonNull(newSubscriptionStart, "newSubscriptionStart");
        positive(fsyncInterval, "fsyncInterval");
        positive(ackDeadline, "ackDeadline");
        positive(checkpointInterval, "checkpointInterval");
        if (minRedeliveryDelay.isNegative() || maxRedeliveryDelay.compareTo(minRedeliveryDelay) < 0) {
            throw new IllegalArgumentException("redelivery delays must satisfy 0 <= min <= max");
        }
        if (segmentBytes < 4096 || maxDiskBytes < segmentBytes || maxUnsettledMessages < 1 || maxUnsettledBytes < 1
                || dispatchThreads < 1) {
            throw new IllegalArgumentException("invalid journal options: segmentBytes >= 4096, maxDiskBytes >= segmentBytes,"
                    + " maxUnsettledMessages/maxUnsettledBytes/dispatchThreads >= 1");
        }
    }

    private static void positive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }

    /** The defaults documented above, in {@code dataDir}. */
    public static JournalOptions defaults(Path dataDir) {
        return new JournalOptions(dataDir, FsyncPolicy.ALWAYS, Duration.ofMillis(100), DEFAULT_MAX_DISK_BYTES,
                DEFAULT_SEGMENT_BYTES, 10_000, 64L << 20, Duration.ofSeconds(120), Duration.ofMillis(100),
                Duration.ofSeconds(10), 2, Duration.ofSeconds(1), StartPosition.OLDEST);
    }

    public JournalOptions withFsync(FsyncPolicy policy, Duration interval) {
        return new JournalOptions(dataDir, policy, interval, maxDiskBytes, segmentBytes, maxUnsettledMessages,
                maxUnsettledBytes, ackDeadline, minRedeliveryDelay, maxRedeliveryDelay, dispatchThreads, checkpointInterval,
                newSubscriptionStart);
    }

    public JournalOptions withDisk(long maxDiskBytes, long segmentBytes) {
        return new JournalOptions(dataDir, fsyncPolicy, fsyncInterval, maxDiskBytes, segmentBytes, maxUnsettledMessages,
                maxUnsettledBytes, ackDeadline, minRedeliveryDelay, maxRedeliveryDelay, dispatchThreads, checkpointInterval,
                newSubscriptionStart);
    }

    public JournalOptions withUnsettled(int maxMessages, long maxBytes) {
        return new JournalOptions(dataDir, fsyncPolicy, fsyncInterval, maxDiskBytes, segmentBytes, maxMessages, maxBytes,
                ackDeadline, minRedeliveryDelay, maxRedeliveryDelay, dispatchThreads, checkpointInterval, newSubscriptionStart);
    }

    public JournalOptions withDelivery(Duration ackDeadline, Duration minRedeliveryDelay, Duration maxRedeliveryDelay,
                                       int dispatchThreads) {
        return new JournalOptions(dataDir, fsyncPolicy, fsyncInterval, maxDiskBytes, segmentBytes, maxUnsettledMessages,
                maxUnsettledBytes, ackDeadline, minRedeliveryDelay, maxRedeliveryDelay, dispatchThreads, checkpointInterval,
                newSubscriptionStart);
    }

    public JournalOptions withCheckpointInterval(Duration interval) {
        return new JournalOptions(dataDir, fsyncPolicy, fsyncInterval, maxDiskBytes, segmentBytes, maxUnsettledMessages,
                maxUnsettledBytes, ackDeadline, minRedeliveryDelay, maxRedeliveryDelay, dispatchThreads, interval,
                newSubscriptionStart);
    }

    public JournalOptions withNewSubscriptionStart(StartPosition start) {
        return new JournalOptions(dataDir, fsyncPolicy, fsyncInterval, maxDiskBytes, segmentBytes, maxUnsettledMessages,
                maxUnsettledBytes, ackDeadline, minRedeliveryDelay, maxRedeliveryDelay, dispatchThreads, checkpointInterval,
                start);
    }
}
