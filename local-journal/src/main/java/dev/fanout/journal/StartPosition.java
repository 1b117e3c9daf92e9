package dev.fanout.journal;

/** Where a subscription the journal has never seen before starts reading. */
public enum StartPosition {
    /**
     * At the oldest message still in the journal (the default): nothing accepted while the new sink was
     * being added is missed. What older history it gets is whatever the journal still retains (messages
     * not yet acked by every other subscription, plus acked ones in segments not yet deleted); a full
     * backfill is the replay CLI's job.
     */
    OLDEST,
    /** At the next message published, like a new Pub/Sub subscription. */
    LATEST
}
