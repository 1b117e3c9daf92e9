package dev.fanout.journal;

/** When the journal forces appended records to the disk (fdatasync). */
public enum FsyncPolicy {
    /**
     * Before {@code publish}'s future completes; concurrent publishes share one fsync (group commit).
     * An accepted message survives kill -9 and a power cut. The default.
     */
    ALWAYS,
    /**
     * At most {@code fsyncInterval} after the write; {@code publish} completes once the record is in the
     * page cache. Survives kill -9; a power cut loses at most the last interval.
     */
    INTERVAL,
    /** Never forced by the journal (the OS writes back when it likes). Survives kill -9 only. */
    NEVER
}
