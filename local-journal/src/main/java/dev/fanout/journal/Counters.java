package dev.fanout.journal;

import java.util.concurrent.atomic.AtomicLong;

/** The journal's counters; {@link JournalStats} is their snapshot. */
final class Counters {
    final AtomicLong published = new AtomicLong();
    final AtomicLong writes = new AtomicLong();
    final AtomicLong fsyncs = new AtomicLong();
    final AtomicLong bytesAppended = new AtomicLong();
    final AtomicLong tornTails = new AtomicLong();
    final AtomicLong tornBytes = new AtomicLong();
    final AtomicLong corruptRecords = new AtomicLong();
    final AtomicLong redeliveries = new AtomicLong();
    final AtomicLong segmentsDeleted = new AtomicLong();
    final AtomicLong checkpoints = new AtomicLong();

    JournalStats snapshot(long diskBytes, int segments) {
        return new JournalStats(published.get(), writes.get(), fsyncs.get(), bytesAppended.get(), tornTails.get(),
                tornBytes.get(), corruptRecords.get(), redeliveries.get(), segmentsDeleted.get(), checkpoints.get(),
                diskBytes, segments);
    }
}
