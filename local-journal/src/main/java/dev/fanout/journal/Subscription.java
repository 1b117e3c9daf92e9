package dev.fanout.journal;

import dev.fanout.events.ReceivedMessage;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;

/**
 * One subscription's state: its read position in the journal ({@code next}), the messages handed out
 * and not acked ({@code unsettled}, the holes below {@code next}), the ones due for redelivery, and its
 * dispatch threads. Everything mutable is guarded by {@link #lock}.
 */
final class Subscription {

    private static final Logger LOG = Logger.getLogger(Subscription.class);

    private enum State { READY, IN_FLIGHT, DELAYED }

    private enum Settle { ACK, NACK, EXPIRED }

    /** A message handed out (or due to be) and not acked. */
    private static final class Unsettled {
        final long seq;
        final Segment segment;
        final long offset;
        final int length;
        long publishMicros = -1;
        /** How many times it was handed out so far. */
        int attempts;
        /** Changes with every hand-out, so a late ack of an earlier attempt is recognised. */
        int token;
        State state = State.READY;
        volatile ScheduledFuture<?> expiry;

        Unsettled(long seq, Segment segment, long offset, int length, int attempts) {
            this.seq = seq;
            this.segment = segment;
            this.offset = offset;
            this.length = length;
            this.attempts = attempts;
        }

        long bytes() {
            return RecordCodec.HEADER + (long) length;
        }
    }

    final String name;
    private final DurableLocalBus bus;
    private final SegmentLog log;
    private final JournalOptions options;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final TreeMap<Long, Unsettled> unsettled = new TreeMap<>();
    private final ArrayDeque<Unsettled> ready = new ArrayDeque<>();
    private final List<Thread> threads = new ArrayList<>();
    private long unsettledBytes;
    /** Next seq to read from the journal, at {@link #readSegment}/{@link #readOffset}. */
    private long next;
    private Segment readSegment;
    private long readOffset;
    private int dispatching;
    private int delayed;
    /** Set by {@link #takeNew} when it skipped a corrupt stretch, so the dispatcher looks again at once. */
    private boolean skippedCorrupt;
    private boolean dirty;
    private volatile long persistedLowWaterMark;
    private volatile DurableLocalBus.Handler handler;
    private volatile boolean stopped;
    /** This subscription's unsettled bounds (the options' unless {@link #attach} set its own). */
    private volatile int maxUnsettledMessages;
    private volatile long maxUnsettledBytes;

    Subscription(DurableLocalBus bus, String name) {
        this.bus = bus;
        this.name = name;
        this.log = bus.log();
        this.options = bus.options();
        this.maxUnsettledMessages = options.maxUnsettledMessages();
        this.maxUnsettledBytes = options.maxUnsettledBytes();
    }

    /** Sets the position from disk (null: damaged, start at the oldest retained message). */
    void restore(CursorFile.Position p) {
        long oldest = log.oldestSeq();
        long end = log.committedSeq() + 1;
        if (p == null) {
            p = new CursorFile.Position(oldest, new long[0], new int[0]);
            dirty = true;
        }
        long n = p.next();
        if (n < oldest || n > end) {
            LOG.warnf("journal: position %d of %s is outside the journal (%d..%d); using %d", n, name, oldest, end,
                    Math.max(oldest, Math.min(n, end)));
            n = Math.max(oldest, Math.min(n, end));
            dirty = true;
        }
        // Holes, ascending, then next: one walk over the record headers locates all of them.
        long[] order = p.holes().clone();
        Map<Long, Integer> attempts = new java.util.HashMap<>();
        for (int i = 0; i < p.holes().length; i++) {
            attempts.put(p.holes()[i], p.attempts()[i]);
        }
        Arrays.sort(order);
        Segment seg = null;
        long seq = 0;
        long off = 0;
        try {
            for (long h : order) {
                if (h < oldest || h >= n) {
                    LOG.warnf("journal: unacked message %d of %s is no longer in the journal", h, name);
                    dirty = true;
                    continue;
                }
                Segment s = log.segmentFor(h);
                if (s != seg) {
                    seg = s;
                    seq = s.base;
                    off = Segment.FILE_HEADER;
                }
                for (; seq < h && off >= 0; seq++) {
                    int len = log.recordLength(seg, off);
                    off = len < 0 ? -1 : off + RecordCodec.HEADER + len;
                }
                int len = off < 0 ? -1 : log.recordLength(seg, off);
                if (len < 0) {
                    bus.counters().corruptRecords.incrementAndGet();
                    LOG.errorf("journal: the framing of %s before message %d is broken; %s cannot redeliver it", seg, h, name);
                    dirty = true;
                    seg = null;
                    continue;
                }
                Unsettled u = new Unsettled(h, seg, off, len, attempts.get(h));
                unsettled.put(h, u);
                unsettledBytes += u.bytes();
                ready.addLast(u);
            }
            readSegment = log.segmentFor(n);
            readOffset = readSegment == null ? -1 : log.locate(readSegment, n);
            if (readSegment == null || readOffset < 0) {
                throw new IOException("cannot locate message " + n + " of " + name);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("journal: restoring the position of " + name, e);
        }
        next = n;
        persistedLowWaterMark = dirty ? Math.min(n, unsettled.isEmpty() ? n : unsettled.firstKey()) : p.lowWaterMark();
    }

    boolean attached() {
        return handler != null;
    }

    void attach(DurableLocalBus.Handler h, int maxMessages, long maxBytes) {
        maxUnsettledMessages = maxMessages;
        maxUnsettledBytes = maxBytes;
        handler = h;
        for (int i = 0; i < options.dispatchThreads(); i++) {
            Thread t = new Thread(this::dispatch, "fanout-journal-" + name + "-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    void signal() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void stop() throws InterruptedException {
        stopped = true;
        threads.forEach(Thread::interrupt);
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(5));
        }
    }

    void markDirty() {
        lock.lock();
        try {
            dirty = true;
        } finally {
            lock.unlock();
        }
    }

    long persistedLowWaterMark() {
        return persistedLowWaterMark;
    }

    void persisted(long lowWaterMark) {
        persistedLowWaterMark = lowWaterMark;
    }

    /** The current position, if an ack changed it since the last snapshot; null otherwise. */
    CursorFile.Position snapshotIfDirty() {
        lock.lock();
        try {
            if (!dirty) {
                return null;
            }
            dirty = false;
            return snapshot();
        } finally {
            lock.unlock();
        }
    }

    CursorFile.Position snapshot() {
        lock.lock();
        try {
            long[] holes = new long[unsettled.size()];
            int[] attempts = new int[holes.length];
            int i = 0;
            for (Unsettled u : unsettled.values()) {
                holes[i] = u.seq;
                attempts[i++] = u.attempts;
            }
            bus.snapshotTaken(name);
            return new CursorFile.Position(next, holes, attempts);
        } finally {
            lock.unlock();
        }
    }

    Backlog backlog() {
        lock.lock();
        try {
            long committed = log.committedSeq();
            long queued = Math.max(0, committed - next + 1);
            long messages = unsettled.size() + queued;
            if (messages == 0) {
                return Backlog.EMPTY;
            }
            long bytes = unsettledBytes;
            if (queued > 0) {
                bytes += log.logicalCommittedEnd() - (readSegment.logicalBase + readOffset);
            }
            long oldest = -1;
            Map.Entry<Long, Unsettled> first = unsettled.firstEntry();
            try {
                if (first != null) {
                    Unsettled u = first.getValue();
                    oldest = u.publishMicros >= 0 ? u.publishMicros : log.publishMicros(u.segment, u.offset);
                } else {
                    Segment s = readSegment;
                    long off = readOffset;
                    if (off >= s.committedSize && log.after(s) != null) {
                        s = log.after(s);
                        off = Segment.FILE_HEADER;
                    }
                    oldest = log.publishMicros(s, off);
                }
            } catch (IOException e) {
                LOG.debugf(e, "journal: reading the publish time for the backlog of %s", name);
            }
            Duration age = Duration.ZERO;
            if (oldest >= 0) {
                long nowMicros = System.currentTimeMillis() * 1000L;
                age = Duration.ofNanos(Math.max(0, nowMicros - oldest) * 1000L);
            }
            return new Backlog(messages, bytes, age);
        } finally {
            lock.unlock();
        }
    }

    /** Waits until everything committed has been handed to the handler (or the deadline passed). */
    boolean awaitHandedOver(long deadlineNanos) throws InterruptedException {
        lock.lock();
        try {
            while (!ready.isEmpty() || dispatching > 0 || delayed > 0 || next <= log.committedSeq()) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0 || stopped) {
                    return false;
                }
                changed.awaitNanos(Math.min(left, 10_000_000L));
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    // ---- dispatch --------------------------------------------------------------------------------

    private boolean mayTakeNew() {
        return unsettled.size() < maxUnsettledMessages
                && (unsettledBytes < maxUnsettledBytes || unsettled.isEmpty());
    }

    /** The next message from the journal, or null if there is none yet (or it was skipped as corrupt). */
    private Unsettled takeNew() throws IOException {
        if (next > log.committedSeq()) {
            return null;
        }
        while (next > readSegment.lastSeq) {
            Segment s = log.after(readSegment);
            if (s == null) {
                return null;
            }
            readSegment = s;
            readOffset = Segment.FILE_HEADER;
        }
        int len = log.recordLength(readSegment, readOffset);
        if (len < 0) {
            long lost = readSegment.lastSeq - next + 1;
            bus.counters().corruptRecords.addAndGet(lost);
            LOG.errorf("journal: the framing of %s breaks at message %d; %s skips the %d messages %d..%d of this segment",
                    readSegment, next, name, lost, next, readSegment.lastSeq);
            next = readSegment.lastSeq + 1;
            readOffset = readSegment.committedSize;
            dirty = true;
            skippedCorrupt = true;
            return null;
        }
        Unsettled u = new Unsettled(next, readSegment, readOffset, len, 0);
        readOffset += u.bytes();
        next++;
        unsettled.put(u.seq, u);
        unsettledBytes += u.bytes();
        return u;
    }

    private void dispatch() {
        try {
            while (!stopped) {
                Unsettled u;
                int token;
                lock.lockInterruptibly();
                try {
                    while (true) {
                        if (stopped) {
                            return;
                        }
                        u = ready.pollFirst();
                        if (u == null && mayTakeNew()) {
                            try {
                                u = takeNew();
                            } catch (IOException e) {
                                // A read error of the disk: keep the position and try again shortly.
                                LOG.warnf(e, "journal: %s cannot read message %d; retrying in 1 s", name, next);
                                changed.await(1, TimeUnit.SECONDS);
                                continue;
                            }
                            if (skippedCorrupt) {
                                skippedCorrupt = false;
                                continue;
                            }
                        }
                        if (u != null) {
                            break;
                        }
                        changed.await();
                    }
                    u.attempts++;
                    u.state = State.IN_FLIGHT;
                    token = ++u.token;
                    dispatching++;
                } finally {
                    lock.unlock();
                }
                try {
                    deliver(u, token);
                } finally {
                    lock.lock();
                    try {
                        dispatching--;
                        changed.signalAll();
                    } finally {
                        lock.unlock();
                    }
                }
            }
        } catch (InterruptedException e) {
            // stopped
        }
    }

    private void deliver(Unsettled u, int token) throws InterruptedException {
        if (u.attempts > 1) {
            bus.counters().redeliveries.incrementAndGet();
        }
        RecordCodec.Decoded d;
        try {
            d = log.read(u.segment, u.offset, u.length, u.seq, this::wanted);
        } catch (IOException e) {
            LOG.warnf(e, "journal: reading message %d for %s failed; retrying later", u.seq, name);
            settle(u, token, Settle.NACK);
            return;
        }
        if (d == null) {
            // Corrupt on disk (counted and logged by the log): it can never be delivered.
            settle(u, token, Settle.ACK);
            return;
        }
        if (d.unwanted()) {
            settle(u, token, Settle.ACK);
            return;
        }
        u.publishMicros = d.publishMicros();
        Instant published = Instant.ofEpochSecond(d.publishMicros() / 1_000_000L, (d.publishMicros() % 1_000_000L) * 1_000L);
        ReceivedMessage m = new ReceivedMessage(Long.toString(u.seq), d.data(), d.attributes(), published, u.attempts);
        try {
            u.expiry = bus.timers().schedule(() -> settle(u, token, Settle.EXPIRED), options.ackDeadline().toNanos(),
                    TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) {
            return; // closing: stays unacked, delivered at the next start
        }
        JournalDelivery delivery = new JournalDelivery(m, () -> settle(u, token, Settle.ACK), () -> settle(u, token, Settle.NACK));
        try {
            handler.deliver(delivery);
        } catch (InterruptedException e) {
            throw e;
        } catch (RuntimeException e) {
            LOG.errorf(e, "journal: subscriber %s failed on message %d; redelivering", name, u.seq);
            delivery.nack();
        }
    }

    /** The handler's {@link DurableLocalBus.Handler#wants}; a handler that throws there gets the message. */
    private boolean wanted(Map<String, String> attributes) {
        try {
            return handler.wants(attributes);
        } catch (RuntimeException e) {
            LOG.errorf(e, "journal: subscriber %s failed deciding whether it wants a message; delivering it", name);
            return true;
        }
    }

    /** Settles one hand-out; a late ack/nack of an attempt that was already redelivered is ignored. */
    private void settle(Unsettled u, int token, Settle how) {
        boolean idle = false;
        lock.lock();
        try {
            if (u.token != token || u.state != State.IN_FLIGHT || unsettled.get(u.seq) != u) {
                return;
            }
            ScheduledFuture<?> e = u.expiry;
            if (how != Settle.EXPIRED && e != null) {
                e.cancel(false);
            }
            switch (how) {
                case ACK -> {
                    unsettled.remove(u.seq);
                    unsettledBytes -= u.bytes();
                    dirty = true;
                    idle = unsettled.isEmpty() && next > log.committedSeq();
                }
                case EXPIRED -> {
                    LOG.debugf("journal: ack deadline of message %d expired on %s; redelivering", u.seq, name);
                    u.state = State.READY;
                    ready.addLast(u);
                }
                case NACK -> {
                    u.state = State.DELAYED;
                    delayed++;
                    try {
                        bus.timers().schedule(() -> redeliver(u, token), bus.redeliveryDelay(u.attempts).toNanos(),
                                TimeUnit.NANOSECONDS);
                    } catch (RejectedExecutionException closing) {
                        delayed--;
                        u.state = State.READY;
                        ready.addLast(u);
                    }
                }
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (idle) {
            bus.notifyIdle();
        }
    }

    private void redeliver(Unsettled u, int token) {
        lock.lock();
        try {
            if (u.token == token && u.state == State.DELAYED) {
                delayed--;
                u.state = State.READY;
                ready.addLast(u);
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }
}
