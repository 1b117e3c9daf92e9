package dev.fanout.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The one thread that appends to the journal. Publishers queue sealed-later records; the thread
 * takes everything queued (up to {@link #MAX_GROUP_BYTES}), writes it with one gathering write per
 * segment, forces once (policy {@link FsyncPolicy#ALWAYS}) and only then completes the publishers'
 * futures. While it forces, new publishes queue up and form the next group: that is the group commit,
 * with no added delay for a lone publisher.
 */
final class JournalWriter {

    private static final Logger LOG = Logger.getLogger(JournalWriter.class);

    /** Bytes written per group at most, so one group's fsync latency stays bounded. */
    static final long MAX_GROUP_BYTES = 16L << 20;

    /** What the bus learns from the writer. */
    interface Listener {
        /** Records up to {@code lastSeq} are committed (readers may see them). */
        void committed(long lastSeq);

        /** Reserved bytes of publishes that failed. */
        void released(long bytes);

        /** The active segment was sealed and a new one started. */
        void rolled();
    }

    record Pending(ByteBuffer record, CompletableFuture<String> future) {}

    private static final Pending WAKE = new Pending(null, null);

    private final SegmentLog log;
    private final FsyncPolicy policy;
    private final long intervalNanos;
    private final Counters counters;
    private final Listener listener;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final Thread thread;
    private volatile boolean stopping;
    private volatile boolean rollRequested;
    private volatile IOException failure;
    private volatile long nextSeq;

    JournalWriter(SegmentLog log, FsyncPolicy policy, long intervalNanos, Counters counters, Listener listener) {
        this.log = log;
        this.policy = policy;
        this.intervalNanos = intervalNanos;
        this.counters = counters;
        this.listener = listener;
        this.nextSeq = log.committedSeq() + 1;
        this.thread = new Thread(this::run, "fanout-journal-writer");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Queues a record; its future completes once it is committed under the fsync policy. */
    void submit(ByteBuffer record, CompletableFuture<String> future) {
        IOException f = failure;
        if (f != null) {
            future.completeExceptionally(f);
            return;
        }
        queuedBytes.addAndGet(record.remaining());
        queue.add(new Pending(record, future));
    }

    /** Bytes queued and not yet committed or failed. */
    long queuedBytes() {
        return queuedBytes.get();
    }

    /** The seq the next appended record gets. */
    long nextSeq() {
        return nextSeq;
    }

    IOException failure() {
        return failure;
    }

    /** Seals the active segment at the next opportunity, so that a fully acked one can be deleted. */
    void requestRoll() {
        rollRequested = true;
        queue.add(WAKE);
    }

    /** Writes everything queued, forces, and stops the thread. */
    void close() throws InterruptedException {
        stopping = true;
        queue.add(WAKE);
        thread.join();
    }

    private void run() {
        List<Pending> group = new ArrayList<>();
        long lastForce = System.nanoTime();
        boolean unforced = false;
        try {
            while (true) {
                Pending first;
                if (stopping) {
                    first = queue.poll();
                } else if (unforced && policy == FsyncPolicy.INTERVAL) {
                    first = queue.poll(Math.max(0, lastForce + intervalNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
                } else {
                    first = queue.take();
                }
                if (first == null && stopping) {
                    break;
                }
                long bytes = 0;
                for (Pending p = first; p != null; p = bytes < MAX_GROUP_BYTES ? queue.poll() : null) {
                    if (p != WAKE) {
                        group.add(p);
                        bytes += p.record.remaining();
                    }
                }
                if (rollRequested && failure == null) {
                    rollRequested = false;
                    roll();
                }
                if (!group.isEmpty()) {
                    unforced |= writeGroup(group, bytes);
                    group.clear();
                }
                if (unforced && (policy != FsyncPolicy.INTERVAL || System.nanoTime() - lastForce >= intervalNanos)) {
                    if (policy == FsyncPolicy.INTERVAL) {
                        forceOrFail();
                    }
                    unforced = false;
                    lastForce = System.nanoTime();
                }
            }
            if (failure == null) {
                // A clean stop forces whatever the policy left unforced.
                log.force();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            fail(e);
        }
        for (Pending p; (p = queue.poll()) != null; ) {
            if (p != WAKE) {
                reject(p, failure != null ? failure : new IOException("journal closed"));
            }
        }
    }

    private void roll() {
        if (log.active().isEmpty()) {
            return;
        }
        try {
            log.roll(nextSeq, policy != FsyncPolicy.NEVER);
            listener.rolled();
        } catch (IOException e) {
            LOG.warnf(e, "journal: could not start a new segment; the acked one is kept for now");
        }
    }

    /** Writes a group; returns whether something was written and left unforced. */
    private boolean writeGroup(List<Pending> group, long groupBytes) {
        if (failure != null) {
            group.forEach(p -> reject(p, failure));
            return false;
        }
        int n = group.size();
        ByteBuffer[] bufs = new ByteBuffer[n];
        for (int k = 0; k < n; k++) {
            bufs[k] = group.get(k).record;
        }
        java.time.Instant now = java.time.Instant.now();
        long micros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
        long seq = nextSeq;
        int written = 0;
        IOException error = null;
        try {
            while (written < n) {
                int size = bufs[written].remaining();
                long room = log.room();
                if (size > room && !log.active().isEmpty()) {
                    log.roll(seq, policy != FsyncPolicy.NEVER);
                    listener.rolled();
                    room = log.room();
                }
                int end = written + 1;
                long bytes = size;
                while (end < n && bytes + bufs[end].remaining() <= room) {
                    bytes += bufs[end].remaining();
                    end++;
                }
                for (int k = written; k < end; k++) {
                    RecordCodec.seal(bufs[k], seq + (k - written), micros);
                }
                log.write(bufs, written, end - written, bytes, seq + (end - written) - 1);
                seq += end - written;
                nextSeq = seq;
                written = end;
            }
        } catch (IOException e) {
            error = e;
            if (e instanceof JournalFailedException) {
                fail(e);
            } else {
                LOG.warnf(e, "journal: writing %d records failed; their publishes fail (the sender retries)", n - written);
            }
        }
        for (int k = written; k < n; k++) {
            reject(group.get(k), error);
        }
        if (written == 0) {
            return false;
        }
        if (policy == FsyncPolicy.ALWAYS && !forceOrFail()) {
            for (int k = 0; k < written; k++) {
                reject(group.get(k), failure);
            }
            return false;
        }
        long first = seq - written;
        log.commit(seq - 1);
        counters.published.addAndGet(written);
        long done = 0;
        for (int k = 0; k < written; k++) {
            done += group.get(k).record.limit();
        }
        queuedBytes.addAndGet(-done);
        listener.committed(seq - 1);
        for (int k = 0; k < written; k++) {
            group.get(k).future.complete(Long.toString(first + k));
        }
        return policy != FsyncPolicy.ALWAYS;
    }

    private boolean forceOrFail() {
        try {
            log.force();
            return true;
        } catch (IOException e) {
            // After a failed fsync the kernel may have dropped the dirty pages: nothing written since
            // the last good fsync can be trusted any more, so stop appending rather than guess.
            fail(new JournalFailedException("journal: fsync failed", e));
            return false;
        }
    }

    private void fail(IOException e) {
        if (failure == null) {
            failure = e instanceof JournalFailedException ? e : new JournalFailedException("journal: " + e.getMessage(), e);
            LOG.errorf(e, "journal: appends stopped; restart the process (everything acknowledged so far is on disk)");
        }
    }

    private void reject(Pending p, IOException e) {
        int size = p.record.limit();
        queuedBytes.addAndGet(-size);
        listener.released(size);
        p.future.completeExceptionally(e);
    }
}
