package dev.fanout.journal;

import dev.fanout.events.BusMessage;
import dev.fanout.events.port.EventPublisher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The durable bus of the one-process local pipeline: {@code LocalBus}'s delivery semantics (every
 * named subscription gets every message; a delivery is settled by ack or nack; a nack or an expired
 * ack deadline redelivers with {@code deliveryAttempt + 1}; a bounded number of unsettled deliveries
 * per subscription) on top of an on-disk journal, so that what was accepted survives SIGTERM with a
 * backlog, kill -9, a power cut (fsync policy {@link FsyncPolicy#ALWAYS}) and a sink outage.
 *
 * <ul>
 *   <li>{@link #publish} completes only once the message is in a segment file (forced, under the
 *       default policy; concurrent publishes share one fsync). Over {@link JournalOptions#maxDiskBytes()}
 *       it fails with {@link EventPublisher.BackpressureException}.</li>
 *   <li>Each subscription has its own position: {@code next} plus the holes below it (handed out,
 *       not acked), written every {@link JournalOptions#checkpointInterval()}; acks may come in any
 *       order. After a crash, at most the acks of the last interval are redelivered; nothing unacked
 *       is skipped.</li>
 *   <li>A segment is deleted once every subscription the journal knows (also one not subscribed in
 *       this run) has durably acked all of it.</li>
 *   <li>On open, a torn tail of the last segment is cut to the last whole record, counted
 *       ({@link JournalStats#tornTails()}) and logged; the journal then replays each subscription from
 *       its position.</li>
 * </ul>
 * See docs/local-bus.md.
 */
public final class DurableLocalBus implements EventPublisher, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(DurableLocalBus.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    /** Receives deliveries; may block (that is the bus's backpressure towards the subscriber). */
    @FunctionalInterface
    public interface Handler {
        void deliver(JournalDelivery delivery) throws InterruptedException;

        /**
         * Whether a message with these attributes is wanted at all. When not, the journal acks it
         * as soon as it has read and checked the record, without copying its payload out or
         * handing it over: a sink that refuses whole classes of messages (replays, low severities)
         * costs a read, not an allocation per message. Default: every message is wanted.
         */
        default boolean wants(Map<String, String> attributes) {
            return true;
        }
    }

    /** Test hook: called when a subscription's position is snapshotted (under its lock) and when it is on disk. */
    interface CheckpointHook {
        void snapshot(String subscription);

        void durable(String subscription);
    }

    private final JournalOptions options;
    private final Path subscriptionDir;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Counters counters = new Counters();
    private final SegmentLog log;
    private final JournalWriter writer;
    private final List<Subscription> subs = new CopyOnWriteArrayList<>();
    private final ReentrantReadWriteLock acceptGate = new ReentrantReadWriteLock();
    /** Bytes of segment files plus bytes queued for the writer: what {@link JournalOptions#maxDiskBytes()} bounds. */
    private final AtomicLong reserved = new AtomicLong();
    private final ScheduledExecutorService timers;
    private final ScheduledExecutorService housekeeper;
    private final AtomicBoolean housekeepingQueued = new AtomicBoolean();
    private final AtomicBoolean backpressured = new AtomicBoolean();
    private final Object idle = new Object();
    private volatile boolean accepting = true;
    private volatile boolean closed;
    volatile CheckpointHook checkpointHook;

    private DurableLocalBus(JournalOptions options, FileChannel lockChannel, FileLock lock, Map<String, CursorFile.Position> cursors)
            throws IOException {
        this.options = options;
        this.lockChannel = lockChannel;
        this.lock = lock;
        Path dir = options.dataDir();
        this.subscriptionDir = dir.resolve("subscriptions");
        long firstSeq = 1;
        for (CursorFile.Position p : cursors.values()) {
            if (p != null) {
                firstSeq = Math.max(firstSeq, p.next());
            }
        }
        this.log = SegmentLog.open(dir.resolve("segments"), options.segmentBytes(), firstSeq, counters);
        this.reserved.set(log.diskBytes());
        for (Map.Entry<String, CursorFile.Position> e : cursors.entrySet()) {
            Subscription s = new Subscription(this, e.getKey());
            s.restore(e.getValue());
            subs.add(s);
        }
        java.util.concurrent.ScheduledThreadPoolExecutor t = new java.util.concurrent.ScheduledThreadPoolExecutor(1,
                daemon("fanout-journal-timer"));
        // Every delivery schedules an ack-deadline timer that is almost always cancelled by the ack;
        // without this, cancelled timers pile up for a whole ack deadline.
        t.setRemoveOnCancelPolicy(true);
        this.timers = t;
        this.housekeeper = Executors.newSingleThreadScheduledExecutor(daemon("fanout-journal-housekeeper"));
        this.writer = new JournalWriter(log, options.fsyncPolicy(), options.fsyncInterval().toNanos(), counters,
                new JournalWriter.Listener() {
                    @Override
                    public void committed(long lastSeq) {
                        for (Subscription s : subs) {
                            s.signal();
                        }
                    }

                    @Override
                    public void released(long bytes) {
                        reserved.addAndGet(-bytes);
                    }

                    @Override
                    public void rolled() {
                        reserved.addAndGet(Segment.FILE_HEADER);
                        requestHousekeeping();
                    }
                });
        long interval = options.checkpointInterval().toNanos();
        housekeeper.scheduleWithFixedDelay(this::housekeep, interval, interval, TimeUnit.NANOSECONDS);
        LOG.infof("journal %s: %d segment(s), %d bytes, seqs %d..%d, subscriptions %s", dir, log.segmentCount(),
                log.diskBytes(), log.oldestSeq(), log.committedSeq(), backlog());
    }

    /**
     * Opens (or creates) the journal in {@link JournalOptions#dataDir()}. Fails if another process has
     * it open. A torn tail is repaired, never a reason to fail.
     */
    public static DurableLocalBus open(JournalOptions options) throws IOException {
        Objects.requireNonNull(options, "options");
        Path dir = options.dataDir();
        Files.createDirectories(dir.resolve("subscriptions"));
        FileChannel lockChannel = FileChannel.open(dir.resolve("journal.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            lockChannel.close();
            throw new IOException("journal " + dir + " is in use by another bus (journal.lock is held)");
        }
        try {
            return new DurableLocalBus(options, lockChannel, lock, readCursors(dir.resolve("subscriptions")));
        } catch (IOException | RuntimeException e) {
            lock.release();
            lockChannel.close();
            throw e;
        }
    }

    private static Map<String, CursorFile.Position> readCursors(Path dir) throws IOException {
        Map<String, CursorFile.Position> m = new LinkedHashMap<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.sorted().toList();
        }
        for (Path p : files) {
            String n = p.getFileName().toString();
            if (n.endsWith(CursorFile.SUFFIX + ".tmp")) {
                Files.deleteIfExists(p); // a checkpoint cut by a crash; the previous file is still whole
            } else if (n.endsWith(CursorFile.SUFFIX)) {
                String name = n.substring(0, n.length() - CursorFile.SUFFIX.length());
                CursorFile.Position pos = CursorFile.read(p);
                if (pos == null) {
                    LOG.errorf("journal: position file %s is damaged; subscription %s restarts at the oldest retained"
                            + " message (redelivering what it had acked)", p, name);
                }
                m.put(name, pos);
            }
        }
        return m;
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    public JournalOptions options() {
        return options;
    }

    /**
     * Attaches a handler to subscription {@code name}. A name the journal knows resumes at its position;
     * a new one starts at {@link JournalOptions#newSubscriptionStart()} and is on disk when this returns.
     */
    public void subscribe(String name, Handler handler) {
        subscribe(name, handler, options.maxUnsettledMessages(), options.maxUnsettledBytes());
    }

    /**
     * As {@link #subscribe(String, Handler)}, with this subscription's own bounds of unsettled
     * messages and bytes instead of {@link JournalOptions#maxUnsettledMessages()} /
     * {@link JournalOptions#maxUnsettledBytes()}: a subscriber that holds messages until a batch is
     * full needs a bound of at least a batch, or its batch never fills and waits for its age.
     */
    public synchronized void subscribe(String name, Handler handler, int maxUnsettledMessages, long maxUnsettledBytes) {
        Objects.requireNonNull(handler, "handler");
        if (maxUnsettledMessages < 1 || maxUnsettledBytes < 1) {
            throw new IllegalArgumentException("unsettled bounds must be positive");
        }
        if (closed) {
            throw new IllegalStateException("journal closed");
        }
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("subscription names are 1-100 characters of [A-Za-z0-9._-]: " + name);
        }
        Subscription s = find(name);
        if (s != null && s.attached()) {
            throw new IllegalArgumentException("subscription exists: " + name);
        }
        if (s == null) {
            s = new Subscription(this, name);
            long start = options.newSubscriptionStart() == StartPosition.OLDEST ? log.oldestSeq() : writer.nextSeq();
            s.restore(new CursorFile.Position(start, new long[0], new int[0]));
            try {
                CursorFile.write(subscriptionDir, name, s.snapshot(), options.fsyncPolicy() != FsyncPolicy.NEVER);
            } catch (IOException e) {
                throw new UncheckedIOException("journal: could not record new subscription " + name, e);
            }
            subs.add(s);
            LOG.infof("journal: new subscription %s starts at seq %d (%s)", name, start, options.newSubscriptionStart());
        }
        s.attach(handler, maxUnsettledMessages, maxUnsettledBytes);
    }

    /**
     * Forgets a subscription that is not attached (its sink was removed), so that it no longer keeps
     * segments from being deleted. Returns whether it existed.
     */
    public synchronized boolean deleteSubscription(String name) throws IOException {
        Subscription s = find(name);
        if (s == null) {
            return false;
        }
        if (s.attached()) {
            throw new IllegalStateException("subscription " + name + " is attached");
        }
        subs.remove(s);
        Files.deleteIfExists(CursorFile.path(subscriptionDir, name));
        requestHousekeeping();
        return true;
    }

    private Subscription find(String name) {
        for (Subscription s : subs) {
            if (s.name.equals(name)) {
                return s;
            }
        }
        return null;
    }

    /** Names of the subscriptions the journal knows (attached or not). */
    public List<String> subscriptions() {
        return subs.stream().map(s -> s.name).toList();
    }

    @Override
    public CompletableFuture<String> publish(BusMessage message) {
        // The read lock spans the accepting check and the hand-over to the writer, so drain() (write
        // lock) cannot slip between them: every publish that got in is written before drain returns.
        acceptGate.readLock().lock();
        try {
            return publishAccepting(message);
        } finally {
            acceptGate.readLock().unlock();
        }
    }

    private CompletableFuture<String> publishAccepting(BusMessage message) {
        if (!accepting) {
            return CompletableFuture.failedFuture(new IllegalStateException("local bus is shutting down"));
        }
        IOException failed = writer.failure();
        if (failed != null) {
            return CompletableFuture.failedFuture(failed);
        }
        if (subs.isEmpty()) {
            // Nobody would ever read it: accepting it would be acknowledging an event into a void.
            return CompletableFuture.failedFuture(new IllegalStateException("local bus has no subscription"));
        }
        ByteBuffer record;
        try {
            record = RecordCodec.encode(message);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        long size = record.remaining();
        while (true) {
            long cur = reserved.get();
            if (cur + size > options.maxDiskBytes()) {
                backpressured.set(true);
                requestHousekeeping();
                return CompletableFuture.failedFuture(new BackpressureException("local journal holds " + cur
                        + " bytes (bound " + options.maxDiskBytes() + "); the sinks have not acked enough yet"));
            }
            if (reserved.compareAndSet(cur, cur + size)) {
                break;
            }
        }
        CompletableFuture<String> f = new CompletableFuture<>();
        writer.submit(record, f);
        return f;
    }

    @Override
    public boolean healthy() {
        return accepting && !closed && writer.failure() == null;
    }

    /** Bytes handed to {@link #publish} and not yet written (or failed). */
    @Override
    public long outstandingBytes() {
        return writer.queuedBytes();
    }

    /** Per subscription (in subscription order): what it has not acked yet. */
    public Map<String, Backlog> backlog() {
        Map<String, Backlog> m = new LinkedHashMap<>();
        for (Subscription s : subs) {
            m.put(s.name, s.backlog());
        }
        return m;
    }

    /** Messages not yet acked, per subscription (as {@code LocalBus.unacked()}). */
    public Map<String, Integer> unacked() {
        Map<String, Integer> m = new LinkedHashMap<>();
        backlog().forEach((k, v) -> m.put(k, (int) Math.min(Integer.MAX_VALUE, v.messages())));
        return m;
    }

    public JournalStats stats() {
        return counters.snapshot(log.diskBytes(), log.segmentCount());
    }

    /**
     * Waits until every published message was acked by every subscription (or the timeout passed);
     * for tests and tools that must know the pipeline is idle.
     */
    public boolean awaitAllAcked(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (idle) {
            while (!allAcked()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(idle, Math.min(left, 10_000_000L));
            }
            return true;
        }
    }

    private boolean allAcked() {
        if (writer.queuedBytes() > 0) {
            return false;
        }
        for (Subscription s : subs) {
            if (s.backlog().messages() > 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Stops accepting publishes, waits until everything accepted is written, then (at most
     * {@code timeout} in all) until every attached subscription has handed all of it to its handler, so
     * that a following batcher shutdown flushes it. Returns true if everything was handed over; what was
     * not stays in the journal for the next start.
     */
    public boolean drain(Duration timeout) throws InterruptedException {
        acceptGate.writeLock().lock();
        try {
            accepting = false;
        } finally {
            acceptGate.writeLock().unlock();
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (writer.queuedBytes() > 0 && writer.failure() == null) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(1);
        }
        for (Subscription s : subs) {
            if (s.attached() && !s.awaitHandedOver(deadline)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Stops intake and dispatch, writes what was queued, records every subscription's position and
     * closes the files. Nothing is lost: what is not acked is delivered again at the next start.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            acceptGate.writeLock().lock();
            try {
                accepting = false;
            } finally {
                acceptGate.writeLock().unlock();
            }
            closed = true;
        }
        try {
            writer.close();
            for (Subscription s : subs) {
                s.stop();
            }
            housekeeper.shutdown();
            housekeeper.awaitTermination(10, TimeUnit.SECONDS);
            timers.shutdownNow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Subscription s : subs) {
            s.markDirty();
        }
        checkpoint();
        for (Subscription s : subs) {
            Backlog b = s.backlog();
            if (b.messages() > 0) {
                if (s.attached()) {
                    LOG.infof("journal: subscription %s has %d messages (%d bytes) not acked; they stay in the journal"
                            + " and are delivered at the next start", s.name, b.messages(), b.bytes());
                } else {
                    LOG.warnf("journal: subscription %s was not subscribed in this run and holds %d messages (%d bytes);"
                            + " if its sink is gone, remove it (deleteSubscription) so the journal can free them",
                            s.name, b.messages(), b.bytes());
                }
            }
        }
        log.close();
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            LOG.debugf(e, "journal: releasing the lock");
        }
    }

    // ---- for Subscription ----------------------------------------------------------------------

    SegmentLog log() {
        return log;
    }

    Counters counters() {
        return counters;
    }

    ScheduledExecutorService timers() {
        return timers;
    }

    boolean isClosed() {
        return closed;
    }

    void notifyIdle() {
        synchronized (idle) {
            idle.notifyAll();
        }
    }

    Duration redeliveryDelay(int attempt) {
        long min = options.minRedeliveryDelay().toNanos();
        long max = options.maxRedeliveryDelay().toNanos();
        long d = min;
        for (int i = 1; i < attempt && d < max; i++) {
            d *= 2;
        }
        return Duration.ofNanos(Math.min(d, max));
    }

    // ---- housekeeping: positions to disk, segments deleted, fully acked segment rolled --------------

    private void requestHousekeeping() {
        if (!closed && housekeepingQueued.compareAndSet(false, true)) {
            try {
                housekeeper.execute(this::housekeep);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                housekeepingQueued.set(false);
            }
        }
    }

    /** Writes the positions that changed; deletes and rolls segments. Package-private for tests. */
    void housekeep() {
        housekeepingQueued.set(false);
        try {
            long lwm = checkpoint();
            if (lwm == Long.MIN_VALUE) {
                return;
            }
            long freed = log.deleteBelow(lwm);
            reserved.addAndGet(-freed);
            Segment active = log.active();
            boolean wanted = backpressured.getAndSet(false) || reserved.get() > options.maxDiskBytes() / 2
                    || active.committedSize >= options.segmentBytes() / 4;
            if (!active.isEmpty() && active.lastSeq < lwm && wanted) {
                writer.requestRoll();
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "journal: housekeeping failed; retried at the next interval");
        }
    }

    /**
     * Writes the position of every subscription that acked something since the last checkpoint.
     * Returns the lowest durable low-water mark of all subscriptions (Long.MIN_VALUE if there is none).
     */
    private synchronized long checkpoint() {
        long min = Long.MAX_VALUE;
        for (Subscription s : subs) {
            CursorFile.Position p = s.snapshotIfDirty();
            if (p != null) {
                try {
                    CursorFile.write(subscriptionDir, s.name, p, options.fsyncPolicy() != FsyncPolicy.NEVER);
                    s.persisted(p.lowWaterMark());
                    counters.checkpoints.incrementAndGet();
                    CheckpointHook h = checkpointHook;
                    if (h != null) {
                        h.durable(s.name);
                    }
                } catch (IOException e) {
                    s.markDirty();
                    LOG.warnf(e, "journal: could not write the position of %s; retried at the next interval", s.name);
                }
            }
            min = Math.min(min, s.persistedLowWaterMark());
        }
        return subs.isEmpty() ? Long.MIN_VALUE : min;
    }

    /** A snapshot hook for tests, called under the subscription's lock. */
    void snapshotTaken(String name) {
        CheckpointHook h = checkpointHook;
        if (h != null) {
            h.snapshot(name);
        }
    }

    List<Subscription> subscriptionStates() {
        return new ArrayList<>(subs);
    }
}
