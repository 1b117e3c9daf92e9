package dev.fanout.consumer;

import dev.fanout.events.Envelope;
import dev.fanout.events.MessageDecodeException;
import dev.fanout.events.MessageDecoder;
import dev.fanout.events.ReceivedMessage;
import dev.fanout.events.port.EventSink;
import dev.fanout.events.port.MessageMeta;
import dev.fanout.events.port.SinkRecord;
import dev.fanout.events.port.WriteBatch;
import dev.fanout.events.port.WriteResult;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;

/**
 * Batches the messages of one sink and acknowledges them only after the sink confirmed the write.
 *
 * <p>Messages are decoded on the caller's thread (push worker, subscriber executor, local bus) so
 * that decoding runs in parallel with the write of the previous batch; a bounded queue hands them
 * to one writer thread per sink, so writes of a sink never overlap. The writer flushes when the
 * batch reaches {@link BatchPolicy#maxEvents()} or {@link BatchPolicy#maxBytes()}, when its oldest
 * message is {@link BatchPolicy#maxAge()} old, and on {@link #shutdown}. A write is retried as
 * long as {@link EventSink#isTransient} says so and the {@link RetryPolicy} allows; then every
 * message of the batch is acked, or all of them are nacked.
 *
 * <p>A message that {@link MessageDecoder} rejects for good is handed to
 * {@link EventSink#quarantine} and acked once that succeeded (nacked if it failed), so it is kept
 * and counted instead of being redelivered forever.
 */
public final class SinkBatcher {

    private static final Logger LOG = Logger.getLogger(SinkBatcher.class);

    private final EventSink sink;
    private final String name;
    private final BatchPolicy policy;
    private final RetryPolicy retry;
    private final ConsumerMetrics metrics;
    private final WriteTracing tracing;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final ArrayDeque<Item> queue = new ArrayDeque<>();
    private long queuedBytes;
    private boolean stopping;
    private final Thread writer;
    private volatile boolean started;

    private volatile Instant lastSuccessAt;
    private volatile Instant lastFailureAt;
    private volatile String lastFailure;

    public SinkBatcher(EventSink sink, BatchPolicy policy, RetryPolicy retry, ConsumerMetrics metrics, WriteTracing tracing) {
        this.sink = Objects.requireNonNull(sink, "sink");
        this.name = sink.name();
        this.policy = Objects.requireNonNull(policy, "policy");
        this.retry = Objects.requireNonNull(retry, "retry");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.tracing = Objects.requireNonNull(tracing, "tracing");
        this.writer = new Thread(this::runWriter, "fanout-sink-" + name);
        this.writer.setDaemon(true);
        metrics.queueGauge(this::queued);
    }

    /** Starts the writer thread; idempotent. */
    public synchronized SinkBatcher start() {
        if (!started) {
            started = true;
            writer.start();
        }
        return this;
    }

    public String sinkName() {
        return name;
    }

    public EventSink sink() {
        return sink;
    }

    public BatchPolicy policy() {
        return policy;
    }

    public ConsumerMetrics metrics() {
        return metrics;
    }

    /** Whether the writer accepts messages (started and not shutting down). */
    public boolean running() {
        lock.lock();
        try {
            return started && !stopping && writer.isAlive();
        } finally {
            lock.unlock();
        }
    }

    /** Messages accepted and not yet taken into a batch. */
    public int queued() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /** When the last write or quarantine succeeded; null if none yet. */
    public Instant lastSuccessAt() {
        return lastSuccessAt;
    }

    /** When the last batch was given up (nacked); null if none yet. */
    public Instant lastFailureAt() {
        return lastFailureAt;
    }

    /** Why the last batch was given up (exception class and message); null if none yet. */
    public String lastFailure() {
        return lastFailure;
    }

    /**
     * Accepts a delivery if the queue has room, without waiting. A refused delivery is nacked before
     * this returns false, so the caller only has to answer its transport (e.g. 503 for a push).
     */
    public boolean offer(Delivery delivery) {
        Item item = decode(delivery);
        if (item == null) {
            return false;
        }
        lock.lock();
        try {
            if (!stopping && hasRoom(item)) {
                enqueue(item);
                return true;
            }
        } finally {
            lock.unlock();
        }
        reject(delivery, "queue full or stopping");
        return false;
    }

    /**
     * Accepts a delivery, waiting for room in the queue (the pull subscriber's and the local bus's
     * backpressure). Returns false, with the delivery nacked, if the batcher is shutting down.
     */
    public boolean submit(Delivery delivery) throws InterruptedException {
        Item item = decode(delivery);
        if (item == null) {
            return false;
        }
        lock.lockInterruptibly();
        try {
            while (!stopping && !hasRoom(item)) {
                notFull.await();
            }
            if (!stopping) {
                enqueue(item);
                return true;
            }
        } catch (InterruptedException e) {
            delivery.nack();
            metrics.nacked.increment();
            throw e;
        } finally {
            lock.unlock();
        }
        reject(delivery, "stopping");
        return false;
    }

    /**
     * Stops accepting, writes everything already accepted and waits for the writer, at most
     * {@code timeout}. If the writer does not finish in time it is interrupted and whatever it still
     * holds is nacked. Returns true when everything accepted was settled by a normal write path.
     */
    public boolean shutdown(Duration timeout) {
        lock.lock();
        try {
            stopping = true;
            notEmpty.signalAll();
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
        if (!started) {
            nackQueued("never started");
            return true;
        }
        try {
            writer.join(Math.max(1, timeout.toMillis()));
            if (writer.isAlive()) {
                LOG.warnf("sink %s: shutdown flush did not finish within %s; interrupting the writer, unwritten messages are nacked",
                        name, timeout);
                writer.interrupt();
                writer.join(TimeUnit.SECONDS.toMillis(2));
                return false;
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            writer.interrupt();
            return false;
        }
    }

    // ---------------------------------------------------------------- caller side

    private Item decode(Delivery delivery) {
        ReceivedMessage m = delivery.message();
        metrics.received.increment();
        try {
            List<Envelope> events = MessageDecoder.decode(m.data(), m.attributes());
            MessageMeta meta = new MessageMeta(m.messageId(), m.publishTime(), m.deliveryAttempt(), m.attributes());
            List<SinkRecord> records = new ArrayList<>(events.size());
            for (Envelope e : events) {
                records.add(new SinkRecord(e, meta));
            }
            return new Item(delivery, records, null, m.data().length, System.nanoTime());
        } catch (MessageDecodeException e) {
            return new Item(delivery, List.of(), reasonOf(e), m.data().length, System.nanoTime());
        } catch (RuntimeException e) {
            // Not a verdict on the data (a decoder bug or resource trouble): let the bus retry.
            LOG.errorf(e, "sink %s: unexpected failure decoding message %s; nacked", name, m.messageId());
            delivery.nack();
            metrics.nacked.increment();
            return null;
        }
    }

    private boolean hasRoom(Item item) {
        // One message larger than the byte bound is still admitted into an empty queue.
        return queue.isEmpty()
                || (queue.size() < policy.queueMessages() && queuedBytes + item.bytes <= policy.queueBytes());
    }

    private void enqueue(Item item) {
        queue.addLast(item);
        queuedBytes += item.bytes;
        notEmpty.signal();
    }

    private void reject(Delivery delivery, String why) {
        if (delivery.nack()) {
            metrics.nacked.increment();
        }
        metrics.rejected.increment();
        LOG.debugf("sink %s: refused message %s (%s)", name, delivery.message().messageId(), why);
    }

    private void nackQueued(String why) {
        List<Item> left;
        lock.lock();
        try {
            left = new ArrayList<>(queue);
            queue.clear();
            queuedBytes = 0;
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
        nackAll(left, why);
    }

    // ---------------------------------------------------------------- writer side

    private void runWriter() {
        Batch batch = new Batch();
        try {
            while (true) {
                Item item;
                boolean stop = false;
                lock.lockInterruptibly();
                try {
                    while (queue.isEmpty()) {
                        if (stopping) {
                            stop = true;
                            break;
                        }
                        if (batch.isEmpty()) {
                            notEmpty.await();
                        } else {
                            long left = batch.deadline(policy.maxAge()) - System.nanoTime();
                            if (left <= 0) {
                                break;
                            }
                            notEmpty.awaitNanos(left);
                        }
                    }
                    item = queue.pollFirst();
                    if (item != null) {
                        queuedBytes -= item.bytes;
                        notFull.signalAll();
                    }
                } finally {
                    lock.unlock();
                }
                if (item == null) {
                    flush(batch);
                    if (stop) {
                        return;
                    }
                    continue;
                }
                if (item.undecodableReason != null) {
                    quarantine(item);
                    continue;
                }
                if (!batch.isEmpty() && (batch.events + item.events.size() > policy.maxEvents()
                        || batch.bytes + item.bytes > policy.maxBytes())) {
                    flush(batch);
                }
                batch.add(item);
                // Age is checked only once the queue is empty (above): under a backlog the oldest
                // message is always past max-age, and flushing on it would shrink every batch to
                // one message — many small objects/requests instead of few large ones.
                if (batch.events >= policy.maxEvents() || batch.bytes >= policy.maxBytes()) {
                    flush(batch);
                }
            }
        } catch (InterruptedException e) {
            nackAll(batch.items, "interrupted during shutdown");
            batch.clear();
            nackQueued("interrupted during shutdown");
        } catch (Throwable t) {
            LOG.errorf(t, "sink %s: writer thread failed; nacking what it held", name);
            nackAll(batch.items, "writer failed");
            lock.lock();
            try {
                stopping = true;
                notFull.signalAll();
            } finally {
                lock.unlock();
            }
            nackQueued("writer failed");
        }
    }

    private void flush(Batch batch) throws InterruptedException {
        if (batch.isEmpty()) {
            return;
        }
        List<Item> items = new ArrayList<>(batch.items);
        int eventCount = batch.events;
        long oldest = batch.oldestNanos;
        batch.clear();
        if (eventCount == 0) {
            // Messages that decoded to no envelopes carry nothing to write.
            ackAll(items);
            return;
        }
        List<SinkRecord> events = new ArrayList<>(eventCount);
        List<Map<String, String>> attrs = new ArrayList<>(items.size());
        for (Item it : items) {
            events.addAll(it.events);
            attrs.add(it.delivery.message().attributes());
        }
        metrics.batchAge.record(System.nanoTime() - oldest, TimeUnit.NANOSECONDS);
        metrics.batchSize.record(eventCount);
        long start = System.nanoTime();
        Span span = tracing.start("sink write " + name, name, attrs);
        span.setAttribute("fanout.batch.events", eventCount);
        Throwable failure = withRetry("write", () -> writeAllOrThrow(events), span);
        long took = System.nanoTime() - start;
        if (failure == null) {
            span.end();
            metrics.writeOk.record(took, TimeUnit.NANOSECONDS);
            metrics.written.increment(eventCount);
            lastSuccessAt = Instant.now();
            ackAll(items);
        } else {
            span.recordException(failure);
            span.setStatus(StatusCode.ERROR, failure.getClass().getSimpleName());
            span.end();
            metrics.writeFailed.record(took, TimeUnit.NANOSECONDS);
            recordFailure(failure);
            LOG.warnf("sink %s: write of %d events from %d messages failed (%s); all nacked for redelivery",
                    name, eventCount, items.size(), describe(failure));
            nackAll(items, "write failed");
            if (failure instanceof InterruptedException ie) {
                throw ie;
            }
        }
    }

    private void quarantine(Item item) throws InterruptedException {
        ReceivedMessage m = item.delivery.message();
        Span span = tracing.start("sink quarantine " + name, name, List.of(m.attributes()));
        Throwable failure = withRetry("quarantine", () -> sink.quarantine(m, item.undecodableReason), span);
        if (failure == null) {
            span.end();
            metrics.quarantined.increment();
            lastSuccessAt = Instant.now();
            LOG.warnf("sink %s: message %s cannot be decoded (%s); quarantined and acked",
                    name, m.messageId(), item.undecodableReason);
            ackAll(List.of(item));
        } else {
            span.recordException(failure);
            span.setStatus(StatusCode.ERROR, failure.getClass().getSimpleName());
            span.end();
            recordFailure(failure);
            LOG.warnf("sink %s: quarantine of undecodable message %s failed (%s); nacked",
                    name, m.messageId(), describe(failure));
            nackAll(List.of(item), "quarantine failed");
            if (failure instanceof InterruptedException ie) {
                throw ie;
            }
        }
    }

    /**
     * Interim (until per-record outcomes are handled here): a batch counts as written only when the
     * sink delivered every record; anything else fails the whole batch, which is nacked.
     */
    private void writeAllOrThrow(List<SinkRecord> records) throws Exception {
        WriteResult result = sink.write(WriteBatch.of(records, retry.maxTotal().plus(policy.maxAge())));
        if (!result.isAllDelivered()) {
            throw new NotAllDelivered("sink " + name + " did not deliver every record: " + result);
        }
    }

    /** A write that returned without delivering every record (interim: treated as a permanent batch failure). */
    static final class NotAllDelivered extends Exception {
        NotAllDelivered(String message) {
            super(message);
        }
    }

    @FunctionalInterface
    private interface SinkCall {
        void run() throws Exception;
    }

    /** Runs the call with retries; returns null on success, else the last failure. */
    private Throwable withRetry(String what, SinkCall call, Span span) {
        long t0 = System.nanoTime();
        long maxTotal = retry.maxTotal().toNanos();
        for (int attempt = 1; ; attempt++) {
            try {
                call.run();
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return e;
            } catch (Throwable e) {
                boolean transientFailure = e instanceof Exception && !(e instanceof NotAllDelivered) && safeIsTransient(e);
                if (!transientFailure || attempt >= retry.maxAttempts()) {
                    return e;
                }
                Duration delay = retry.delayBeforeRetry(attempt);
                if (System.nanoTime() - t0 + delay.toNanos() > maxTotal) {
                    return e;
                }
                LOG.debugf("sink %s: %s attempt %d failed (%s); retrying in %d ms",
                        name, what, attempt, describe(e), delay.toMillis());
                span.addEvent("retry");
                metrics.retries.increment();
                try {
                    Thread.sleep(delay.toMillis(), (int) (delay.toNanos() % 1_000_000));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return ie;
                }
            }
        }
    }

    private boolean safeIsTransient(Throwable e) {
        try {
            return sink.isTransient(e);
        } catch (RuntimeException classifierBug) {
            LOG.errorf(classifierBug, "sink %s: isTransient threw; treating the failure as permanent", name);
            return false;
        }
    }

    private void ackAll(List<Item> items) {
        for (Item it : items) {
            if (it.delivery.ack()) {
                metrics.acked.increment();
            }
        }
    }

    private void nackAll(List<Item> items, String why) {
        int n = 0;
        for (Item it : items) {
            if (it.delivery.nack()) {
                metrics.nacked.increment();
                n++;
            }
        }
        if (n > 0) {
            LOG.debugf("sink %s: nacked %d messages (%s)", name, n, why);
        }
    }

    private void recordFailure(Throwable t) {
        lastFailureAt = Instant.now();
        lastFailure = describe(t);
    }

    private static String describe(Throwable t) {
        String msg = t.getMessage();
        return t.getClass().getSimpleName() + (msg == null ? "" : ": " + truncate(msg, 300));
    }

    private static String reasonOf(MessageDecodeException e) {
        String msg = e.getMessage();
        return msg == null ? "undecodable message" : truncate(msg, 500);
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "…";
    }

    private record Item(Delivery delivery, List<SinkRecord> events, String undecodableReason, long bytes, long acceptedNanos) {}

    private static final class Batch {
        final List<Item> items = new ArrayList<>();
        int events;
        long bytes;
        long oldestNanos;

        boolean isEmpty() {
            return items.isEmpty();
        }

        void add(Item it) {
            if (items.isEmpty()) {
                oldestNanos = it.acceptedNanos;
            }
            items.add(it);
            events += it.events.size();
            bytes += it.bytes;
        }

        long deadline(Duration maxAge) {
            return oldestNanos + maxAge.toNanos();
        }

        void clear() {
            items.clear();
            events = 0;
            bytes = 0;
        }
    }
}
