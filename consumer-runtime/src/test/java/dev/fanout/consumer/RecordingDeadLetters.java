package dev.fanout.consumer;

import dev.fanout.consumer.deadletter.DeadLetter;
import dev.fanout.consumer.deadletter.DeadLetters;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A dead-letter store in memory, with scripted failures (transient I/O errors). */
public class RecordingDeadLetters implements DeadLetters {

    public final List<DeadLetter> kept = new CopyOnWriteArrayList<>();
    public final AtomicInteger writes = new AtomicInteger();
    /** Whether every write fails. */
    public volatile boolean failing;

    @Override
    public void write(List<DeadLetter> letters) throws Exception {
        writes.incrementAndGet();
        if (failing) {
            throw new IOException("scripted dead-letter store failure");
        }
        kept.addAll(letters);
    }

    @Override
    public boolean isTransient(Throwable failure) {
        return failure instanceof IOException;
    }

    @Override
    public String describe() {
        return "memory";
    }

    /** Event ids of the kept letters (null for undecodable messages). */
    public List<String> eventIds() {
        return kept.stream().map(l -> l.event() == null ? null : l.event().id()).toList();
    }

    public void reset() {
        kept.clear();
        writes.set(0);
        failing = false;
    }
}
