package dev.fanout.journal;

/**
 * Counters since the journal was opened (for metrics and tests), and its current size.
 *
 * @param published            messages appended (their futures completed successfully)
 * @param writes               gathering writes of one or more records (one per group of concurrent publishes)
 * @param fsyncs               fdatasyncs of segment files (group commit: fewer than {@code published} under load)
 * @param bytesAppended        record bytes appended to segments
 * @param tornTails            torn tails found when opening (0 or 1 per open) and truncated
 * @param tornBytes            bytes cut off by those truncations
 * @param corruptRecords       records that failed their checksum or framing when read back (lost, logged)
 * @param redeliveries         deliveries after a nack or an expired ack deadline
 * @param segmentsDeleted      segment files deleted after every subscription acked them
 * @param checkpoints          subscription positions written to disk
 * @param diskBytes            bytes of segment files now
 * @param segments             segment files now
 */
public record JournalStats(long published, long writes, long fsyncs, long bytesAppended, long tornTails, long tornBytes,
                           long corruptRecords, long redeliveries, long segmentsDeleted, long checkpoints,
                           long diskBytes, int segments) {}
