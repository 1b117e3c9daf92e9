package dev.fanout.cli.replay;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** Counters of one replay run; every field is updated by the workers and read by the progress printer. */
public final class ReplayStats {
    public final AtomicLong partitions = new AtomicLong();
    public final AtomicLong objectsTotal = new AtomicLong();
    public final AtomicLong objectsDone = new AtomicLong();
    /** Completed by an earlier attempt (checkpoint). */
    public final AtomicLong objectsSkipped = new AtomicLong();
    public final AtomicLong objectsCorrupt = new AtomicLong();
    /** Could not be read at all (store errors after retries). */
    public final AtomicLong objectsFailed = new AtomicLong();
    public final AtomicLong bytesRead = new AtomicLong();
    public final AtomicLong eventsRead = new AtomicLong();
    public final AtomicLong eventsMatched = new AtomicLong();
    public final AtomicLong eventsSent = new AtomicLong();
    public final AtomicLong eventsRejected = new AtomicLong();
    public final AtomicLong badLines = new AtomicLong();
    /** Matched events not sent because the run stopped early. */
    public final AtomicLong eventsUnsent = new AtomicLong();

    /** Whether everything asked for was done. */
    public boolean complete(boolean stoppedEarly) {
        return !stoppedEarly && objectsCorrupt.get() == 0 && objectsFailed.get() == 0 && eventsRejected.get() == 0
                && badLines.get() == 0 && eventsUnsent.get() == 0;
    }

    public long errors() {
        return objectsCorrupt.get() + objectsFailed.get() + eventsRejected.get();
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("partitions", partitions.get());
        m.put("objects", objectsTotal.get());
        m.put("objects_done", objectsDone.get());
        m.put("objects_skipped", objectsSkipped.get());
        m.put("objects_corrupt", objectsCorrupt.get());
        m.put("objects_failed", objectsFailed.get());
        m.put("bytes_read", bytesRead.get());
        m.put("events_read", eventsRead.get());
        m.put("events_matched", eventsMatched.get());
        m.put("events_sent", eventsSent.get());
        m.put("events_rejected", eventsRejected.get());
        m.put("bad_lines", badLines.get());
        m.put("events_unsent", eventsUnsent.get());
        return m;
    }
}
