package dev.fanout.consumer;

import dev.fanout.events.Envelope;
import dev.fanout.events.ReceivedMessage;
import dev.fanout.events.port.EventSink;
import dev.fanout.events.port.SinkRecord;
import dev.fanout.events.port.WriteBatch;
import dev.fanout.events.port.WriteResult;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A sink that records what it was asked to write, with scripted failures. */
public class RecordingSink implements EventSink {

    /** Thrown by scripted failures; transient unless {@link #permanent} is set. */
    public static final class Boom extends Exception {
        public Boom(String m) {
            super(m);
        }
    }

    private final String name;
    public final List<List<Envelope>> batches = new CopyOnWriteArrayList<>();
    public final List<String> quarantined = new CopyOnWriteArrayList<>();
    public final AtomicInteger writeCalls = new AtomicInteger();
    /** Number of next write calls that fail. */
    public final AtomicInteger failNext = new AtomicInteger();
    public volatile boolean permanent;
    public volatile boolean failQuarantine;
    public volatile Exception notReady;

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
        List<Envelope> events = batch.records().stream().map(SinkRecord::envelope).toList();
        beforeWrite(events);
        if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new Boom("scripted write failure");
        }
        batches.add(events);
        return WriteResult.allDelivered();
    }

    /** Hook for tests that need to block or observe inside a write. */
    protected void beforeWrite(List<Envelope> events) throws Exception {}

    @Override
    public void quarantine(ReceivedMessage message, String reason) throws Exception {
        if (failQuarantine) {
            throw new Boom("scripted quarantine failure");
        }
        quarantined.add(message.messageId() + ": " + reason);
    }

    @Override
    public void checkReady() throws Exception {
        if (notReady != null) {
            throw notReady;
        }
    }

    @Override
    public boolean isTransient(Throwable failure) {
        return !permanent;
    }

    /** Ids of all envelopes written, in write order. */
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
