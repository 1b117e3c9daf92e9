package dev.fanout.consumer;

import dev.fanout.events.Envelope;
import dev.fanout.events.port.EventSink;
import dev.fanout.events.port.SinkRecord;
import dev.fanout.events.port.WriteBatch;
import dev.fanout.events.port.WriteResult;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A sink that records what it delivered, with scripted failures: whole-batch throws (transient
 * unless {@link #permanent}), records it answers rejected or retry, and poison records that make
 * any batch containing them throw a permanent failure.
 */
public class RecordingSink implements EventSink {

    /** Thrown by scripted failures. */
    public static final class Boom extends Exception {
        public final boolean permanent;

        public Boom(String m, boolean permanent) {
            super(m);
            this.permanent = permanent;
        }
    }

    private final String name;
    /** Delivered records per write call (only the delivered ones). */
    public final List<List<Envelope>> batches = new CopyOnWriteArrayList<>();
    /** Sizes of every write call's batch, delivered or not. */
    public final List<Integer> writeSizes = new CopyOnWriteArrayList<>();
    public final AtomicInteger writeCalls = new AtomicInteger();
    /** Number of next write calls that throw. */
    public final AtomicInteger failNext = new AtomicInteger();
    /** Whether the scripted throws are permanent. */
    public volatile boolean permanent;
    /** Ids this sink answers rejected (permanent, per record). */
    public final Set<String> rejectIds = ConcurrentHashMap.newKeySet();
    /** Ids answered retry this many more times (transient, per record). */
    public final java.util.Map<String, AtomicInteger> retryIds = new ConcurrentHashMap<>();
    /** Ids whose presence makes the whole write throw a permanent failure (a batch-level refusal). */
    public final Set<String> poisonIds = ConcurrentHashMap.newKeySet();
    public volatile Exception notReady;
    /** Deadlines of the write calls, as seen by the sink (nanos left when called). */
    public final List<Long> nanosLeftAtCall = new CopyOnWriteArrayList<>();

    public RecordingSink(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public WriteResult write(WriteBatch batch) throws Exception {
        writeCalls.incrementAndGet();
        writeSizes.add(batch.size());
        nanosLeftAtCall.add(batch.deadlineNanos() - System.nanoTime());
        List<Envelope> events = batch.records().stream().map(SinkRecord::envelope).toList();
        beforeWrite(events);
        if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new Boom("scripted write failure", permanent);
        }
        for (Envelope e : events) {
            if (poisonIds.contains(e.id())) {
                throw new Boom("batch refused: it holds " + e.id(), true);
            }
        }
        WriteResult.Builder result = WriteResult.builder(events.size());
        List<Envelope> delivered = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            String id = events.get(i).id();
            AtomicInteger retries = retryIds.get(id);
            if (rejectIds.contains(id)) {
                result.reject(i, "refused: " + id);
            } else if (retries != null && retries.getAndDecrement() > 0) {
                result.retry(i, "throttled: " + id);
            } else {
                delivered.add(events.get(i));
            }
        }
        batches.add(delivered);
        return result.build();
    }

    /** Hook for tests that need to block or observe inside a write. */
    protected void beforeWrite(List<Envelope> events) throws Exception {}

    @Override
    public void checkReady() throws Exception {
        if (notReady != null) {
            throw notReady;
        }
    }

    @Override
    public boolean isTransient(Throwable failure) {
        return failure instanceof Boom b && !b.permanent;
    }

    /** Ids of all envelopes delivered, in write order. */
    public List<String> writtenIds() {
        List<String> ids = new ArrayList<>();
        for (List<Envelope> b : batches) {
            for (Envelope e : b) {
                ids.add(e.id());
            }
        }
        return Collections.unmodifiableList(ids);
    }
}
