package dev.fanout.consumer;

import dev.fanout.consumer.deadletter.DeadLetter;
import dev.fanout.consumer.deadletter.DeadLetters;
import dev.fanout.events.MessageDecodeException;
import dev.fanout.events.MessageDecoder;
import dev.fanout.events.ReceivedMessage;
import dev.fanout.events.port.EventSink;
import dev.fanout.events.port.MessageMeta;
import dev.fanout.events.port.RecordOutcome;
import dev.fanout.events.port.SinkRecord;
import dev.fanout.events.port.WriteBatch;
import dev.fanout.events.port.WriteResult;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;

/**
 * Batches the messages of one sink and acknowledges a message only once every one of its records
 * was delivered or dead-lettered.
 *
 * <p><b>Admission.</b> A message is admitted on a cheap bound before it is decoded (its data size,
 * times {@link #EXPECTED_GZIP_RATIO} for gzip), then counted in decoded bytes while it waits:
 * {@link BatchPolicy#queueMessages()} / {@link BatchPolicy#queueBytes()} bound what is queued or
 * being decoded. {@link #offer} (push) refuses when there is no room; {@link #submit} (pull, local)
 * waits for room, which is the flow control towards the bus.
 *
 * <p><b>Writes.</b> {@link BatchPolicy#writers()} writer threads take messages from the queue into
 * batches and flush at {@link BatchPolicy#maxEvents()} / {@link BatchPolicy#maxBytes()}, when the
 * oldest message is {@link BatchPolicy#maxAge()} old, at once for a redelivered message (attempt
 * &gt; 1 or published longer ago than max-age: the bus is waiting), and on {@link #shutdown}. Every
 * {@code write} gets a deadline of {@link BatchPolicy#writeTimeout()}. Per record:
 * <ul>
 *   <li>delivered: done;</li>
 *   <li>retry, or the write threw a failure the sink classifies as transient: written again with
 *       backoff while the {@link RetryPolicy} allows, else its message is nacked;</li>
 *   <li>rejected: kept in the {@link DeadLetters} store with the sink's reason;</li>
 *   <li>the write threw a permanent failure: the batch is bisected until the records at fault are
 *       alone, and those are rejected. If no record of the batch could be delivered at all, the
 *       destination is at fault, not the data: nothing is dead-lettered and everything is nacked.</li>
 * </ul>
 * A message that {@link MessageDecoder} can never decode is dead-lettered as received. A failed
 * dead-letter write nacks the messages whose letters it held. Every delivery taken into a batch is
 * settled in a {@code finally}.
 */
public final class SinkBatcher {

    private static final Logger LOG = Logger.getLogger(SinkBatcher.class);

    /**
     * Admission estimate of a gzip message's decoded size before it is decoded: log text packs
     * 8-10x (docs/benchmarks.md). The real size replaces the estimate once decoded.
     */
    static final int EXPECTED_GZIP_RATIO = 10;

    private final EventSink sink;
    private final String name;
    private final BatchPolicy policy;
    private final RetryPolicy retry;
    private final DeadLetters deadLetters;
    private final ConsumerMetrics metrics;
    private final WriteTracing tracing;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final ArrayDeque<Item> queue = new ArrayDeque<>();
    /** Decoded bytes queued plus the estimates of messages being decoded. */
    private long admittedBytes;
    /** Messages admitted and being decoded. */
    private int decoding;
    private boolean intakeStopped;
    private boolean stopping;
    private final List<Thread> writers = new ArrayList<>();
    private volatile boolean started;
    private volatile Throwable writerFailure;

    private final AtomicLong backlogMessages = new AtomicLong();
    private final AtomicLong backlogBytes = new AtomicLong();

    private volatile Instant lastFailureAt;
    private volatile String lastFailure;
    private volatile Instant lastReceivedAt;
    private volatile Instant lastWrittenAt;

    public SinkBatcher(EventSink sink, BatchPolicy policy, RetryPolicy retry, DeadLetters deadLetters,
                       ConsumerMetrics metrics, WriteTracing tracing) {
        this.sink = Objects.requireNonNull(sink, "sink");
        this.name = sink.name();
        this.policy = Objects.requireNonNull(policy, "policy");
        this.retry = Objects.requireNonNull(retry, "retry");
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.tracing = Objects.requireNonNull(tracing, "tracing");
        for (int i = 0; i < policy.writers(); i++) {
            Thread t = new Thread(this::runWriter, "fanout-sink-" + name + (policy.writers() > 1 ? "-" + i : ""));
            t.setDaemon(true);
            writers.add(t);
        }
        metrics.gauges(this::queued, backlogMessages::get, backlogBytes::get);
    }

    /** Starts the writer threads; idempotent. */
    public synchronized SinkBatcher start() {
        if (!started) {
            started = true;
            writers.forEach(Thread::start);
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

    public RetryPolicy retry() {
        return retry;
    }

    public ConsumerMetrics metrics() {
        return metrics;
    }

    /** Whether the batcher accepts messages (started, intake open and every writer alive). */
    public boolean running() {
        lock.lock();
        try {
            return started && !intakeStopped && writersAlive();
        } finally {
            lock.unlock();
        }
    }

    /** Whether every writer thread is alive (false before start and after one died). */
    public boolean writersAlive() {
        if (!started || writerFailure != null) {
            return false;
        }
        for (Thread t : writers) {
            if (!t.isAlive()) {
                return false;
            }
        }
        return true;
    }

    /** Why a writer thread died; null while they all run. */
    public Throwable writerFailure() {
        return writerFailure;
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

    /** Messages accepted (decoded and queued) and not yet acked or nacked. */
    public long backlog() {
        return backlogMessages.get();
    }

    /** Decoded bytes of the {@link #backlog()}. */
    public long backlogBytes() {
        return backlogBytes.get();
    }

    /** When the last message was accepted (decoded and queued); null if none yet. */
    public Instant lastReceivedAt() {
        return lastReceivedAt;
    }

    /** When the sink last confirmed a write of at least one record; null if none yet. */
    public Instant lastWrittenAt() {
        return lastWrittenAt;
    }

    /** When the last batch (or dead-letter write) was given up; null if none yet. */
    public Instant lastFailureAt() {
        return lastFailureAt;
    }

    /** Why the last batch was given up (exception class and message); null if none yet. */
    public String lastFailure() {
        return lastFailure;
    }

    /**
     * Accepts a delivery if there is room, without waiting (push). A refused delivery is nacked
     * before this returns false, so the caller only has to answer its transport (503).
     */
    public boolean offer(Delivery delivery) {
        long estimate = estimate(delivery.message());
        boolean admitted;
        lock.lock();
        try {
            admitted = !intakeStopped && hasRoom(estimate);
            if (admitted) {
                reserve(estimate);
            }
        } finally {
            lock.unlock();
        }
        if (!admitted) {
            refuse(delivery, "queue full or intake stopped");
            return false;
        }
        return decodeAndEnqueue(delivery, estimate);
    }

    /**
     * Accepts a delivery, waiting for room (pull, local bus: the wait is the backpressure). Once
     * intake stopped (shutdown) it returns false and leaves the delivery unsettled: the bus keeps
     * it and delivers it again later, nothing is nacked into a stopping consumer.
     */
    public boolean submit(Delivery delivery) throws InterruptedException {
        long estimate = estimate(delivery.message());
        lock.lockInterruptibly();
        try {
            while (!intakeStopped && !hasRoom(estimate)) {
                notFull.await();
            }
            if (intakeStopped) {
                metrics.rejected.increment();
                return false;
            }
            reserve(estimate);
        } finally {
            lock.unlock();
        }
        return decodeAndEnqueue(delivery, estimate);
    }

    /**
     * Stops intake: {@link #offer} refuses, {@link #submit} returns without settling. What was
     * accepted is still written. Idempotent.
     */
    public void stopIntake() {
        lock.lock();
        try {
            intakeStopped = true;
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops intake, writes everything already accepted and waits for the writers, at most
     * {@code timeout}. If they do not finish in time they are interrupted and whatever they still
     * hold is nacked. Returns true when everything accepted was settled by the normal write path.
     */
    public boolean shutdown(Duration timeout) {
        lock.lock();
        try {
            intakeStopped = true;
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
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            for (Thread t : writers) {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            }
            boolean late = false;
            for (Thread t : writers) {
                if (t.isAlive()) {
                    late = true;
                    t.interrupt();
                }
            }
            if (late) {
                LOG.warnf("sink %s: shutdown flush did not finish within %s; interrupting the writers, unwritten messages are nacked",
                        name, timeout);
                for (Thread t : writers) {
                    t.join(TimeUnit.SECONDS.toMillis(2));
                }
                nackQueued("shutdown timeout");
                return false;
            }
            return writerFailure == null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            writers.forEach(Thread::interrupt);
            return false;
        }
    }

    // ---------------------------------------------------------------- caller side

    private static long estimate(ReceivedMessage m) {
        byte[] d = m.data();
        boolean gzip = d.length >= 2 && d[0] == (byte) 0x1f && d[1] == (byte) 0x8b;
        return gzip ? Math.min((long) d.length * EXPECTED_GZIP_RATIO, MessageDecoder.DEFAULT_MAX_DECOMPRESSED_BYTES) : d.length;
    }

    /**
     * Asked by a bus before it hands a message over: false when the sink {@link EventSink#wants
     * does not want} it, counted here as received, skipped and acked, for the bus acks it itself
     * (the durable journal without copying its payload). Messages that are handed over anyway
     * are refused in {@link #submit} the same way.
     */
    public boolean takesMessage(Map<String, String> attributes) {
        if (sink.wants(attributes)) {
            return true;
        }
        metrics.received.increment();
        metrics.skipped.increment();
        metrics.acked.increment();
        lastReceivedAt = Instant.now();
        return false;
    }

    /** Under the lock. One message, however large, is admitted when nothing else is queued or decoding. */
    private boolean hasRoom(long estimate) {
        if (queue.isEmpty() && decoding == 0) {
            return true;
        }
        return queue.size() + decoding < policy.queueMessages() && admittedBytes + estimate <= policy.queueBytes();
    }

    private void reserve(long estimate) {
        decoding++;
        admittedBytes += estimate;
    }

    private boolean decodeAndEnqueue(Delivery delivery, long estimate) {
        metrics.received.increment();
        Item item;
        try {
            item = decode(delivery);
        } catch (RuntimeException e) {
            // Not a verdict on the data (a decoder bug or resource trouble): let the bus retry.
            LOG.errorf(e, "sink %s: unexpected failure decoding message %s; nacked", name, delivery.message().messageId());
            release(estimate, null);
            if (delivery.nack()) {
                metrics.nacked.increment();
            }
            return false;
        }
        backlogMessages.incrementAndGet();
        backlogBytes.addAndGet(item.bytes);
        lastReceivedAt = Instant.now();
        release(estimate, item);
        return true;
    }

    /** Swaps a message's estimate for its decoded size and queues it (item null: decoding failed). */
    private void release(long estimate, Item item) {
        lock.lock();
        try {
            decoding--;
            admittedBytes -= estimate;
            if (item != null) {
                admittedBytes += item.bytes;
                queue.addLast(item);
            }
            notEmpty.signalAll();
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private Item decode(Delivery delivery) {
        ReceivedMessage m = delivery.message();
        boolean urgent = m.deliveryAttempt() > 1
                || (m.publishTime() != null && m.publishTime().isBefore(Instant.now().minus(policy.maxAge())));
        if (!sink.wants(m.attributes())) {
            // Settled with its batch like any other message, so acks keep their order.
            metrics.skipped.increment();
            Item skipped = new Item(delivery, List.of(), null, m.data().length, System.nanoTime(), urgent);
            skipped.skipped = true;
            return skipped;
        }
        try {
            MessageDecoder.Decoded decoded = MessageDecoder.decodeMeasured(m.data(), m.attributes());
            MessageMeta meta = new MessageMeta(m.messageId(), m.publishTime(), m.deliveryAttempt(), m.attributes());
            List<SinkRecord> records = new ArrayList<>(decoded.events().size());
            for (var e : decoded.events()) {
                records.add(new SinkRecord(e, meta));
            }
            return new Item(delivery, records, null, Math.max(decoded.jsonBytes(), m.data().length), System.nanoTime(), urgent);
        } catch (MessageDecodeException e) {
            return new Item(delivery, List.of(), reasonOf(e), m.data().length, System.nanoTime(), urgent);
        }
    }

    private void refuse(Delivery delivery, String why) {
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
            for (Item it : left) {
                admittedBytes -= it.bytes;
            }
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
                        if (stopping && decoding == 0) {
                            stop = true;
                            break;
                        }
                        if (batch.isEmpty()) {
                            notEmpty.await();
                        } else {
                            long left = batch.urgent ? 0 : batch.deadline(policy.maxAge()) - System.nanoTime();
                            if (left <= 0) {
                                break;
                            }
                            notEmpty.awaitNanos(left);
                        }
                    }
                    item = queue.pollFirst();
                    if (item != null) {
                        admittedBytes -= item.bytes;
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
                if (item.skipped && batch.isEmpty()) {
                    // Nothing before it is unsettled (flushes run on this thread), so acking now
                    // keeps the order; holding it for a batch would only keep its bytes alive for
                    // max-age (a replay's worth of skipped messages outlived young collections).
                    ack(item);
                    continue;
                }
                if (!batch.isEmpty() && (batch.events + item.records.size() > policy.maxEvents()
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
        } catch (Throwable t) {
            writerFailure = t;
            LOG.errorf(t, "sink %s: writer thread failed; nacking what it held, liveness goes DOWN", name);
            nackAll(batch.items, "writer failed");
            batch.clear();
            lock.lock();
            try {
                intakeStopped = true;
                notFull.signalAll();
            } finally {
                lock.unlock();
            }
            nackQueued("writer failed");
        }
    }

    /** Writes the batch and settles every one of its deliveries, whatever happens. */
    private void flush(Batch batch) throws InterruptedException {
        if (batch.isEmpty()) {
            return;
        }
        List<Item> items = new ArrayList<>(batch.items);
        int eventCount = batch.events;
        long oldest = batch.oldestNanos;
        batch.clear();
        try {
            settle(items, eventCount, oldest);
        } finally {
            nackAll(items, "not settled by the write");
        }
    }

    private void settle(List<Item> items, int eventCount, long oldestNanos) throws InterruptedException {
        long start = System.nanoTime();
        // The whole flush (retries and bisection included) ends by then; what is left is nacked.
        long budgetEnd = start + retry.maxTotal().toNanos() + policy.writeTimeout().toNanos();
        List<Rec> recs = new ArrayList<>(eventCount);
        List<Map<String, String>> attrs = new ArrayList<>(items.size());
        List<DeadLetter> letters = new ArrayList<>();
        for (Item it : items) {
            attrs.add(it.delivery.message().attributes());
            if (it.undecodableReason != null) {
                letters.add(DeadLetter.undecodable(name, it.delivery.message(), it.undecodableReason));
            }
            for (SinkRecord r : it.records) {
                recs.add(new Rec(it, r));
            }
        }
        Span span = tracing.start("sink write " + name, name, attrs);
        span.setAttribute("fanout.batch.events", eventCount);
        Throwable failure = null;
        try {
            if (!recs.isEmpty()) {
                metrics.batchAge.record(System.nanoTime() - oldestNanos, TimeUnit.NANOSECONDS);
                metrics.batchSize.record(eventCount);
                failure = writeWithRetries(recs, start, budgetEnd, span);
            }
            for (Rec r : recs) {
                if (r.state == State.REJECTED) {
                    letters.add(DeadLetter.rejected(name, r.item.delivery.message(), r.record.envelope(), r.reason));
                }
            }
            boolean lettersKept = letters.isEmpty() || keepDeadLetters(letters, budgetEnd, span);
            // Sized for the batch: growing it from 16 rehashed every id of a 50,000-event batch ~12 times on the writer thread.
            Set<String> delivered = new HashSet<>(Math.max(16, (int) (recs.size() / 0.75f) + 1));
            int undone = 0;
            for (Rec r : recs) {
                if (r.state == State.DELIVERED) {
                    delivered.add(r.record.id());
                } else if (r.state != State.REJECTED) {
                    undone++;
                }
            }
            metrics.written.increment(delivered.size());
            if (!delivered.isEmpty()) {
                lastWrittenAt = Instant.now();
            }
            // The reason is published before any delivery settles: whoever sees a nack (a pull
            // ack reply, health, a test) must also see why.
            String why = null;
            for (Item it : items) {
                if (!it.settleable(lettersKept)) {
                    why = failure != null ? describe(failure) : !lettersKept ? "dead-letter store failed" : "records left to retry";
                    recordFailure(why);
                    break;
                }
            }
            int acked = 0;
            int nacked = 0;
            for (Item it : items) {
                if (it.settleable(lettersKept)) {
                    if (ack(it)) {
                        acked++;
                    }
                } else if (nack(it)) {
                    nacked++;
                }
            }
            long took = System.nanoTime() - start;
            if (!recs.isEmpty()) {
                (undone == 0 ? metrics.writeOk : metrics.writeFailed).record(took, TimeUnit.NANOSECONDS);
            }
            if (nacked > 0) {
                LOG.warnf("sink %s: %d of %d events not written (%s); %d messages acked, %d nacked for redelivery",
                        name, undone, eventCount, why, acked, nacked);
                span.setStatus(StatusCode.ERROR, why);
            }
        } finally {
            span.end();
        }
    }

    /**
     * Writes the records, retrying those that come back (or fail) transiently while the retry
     * policy and the budget allow. Returns the last failure thrown by the sink, if any.
     */
    private Throwable writeWithRetries(List<Rec> recs, long start, long budgetEnd, Span span) throws InterruptedException {
        Pass pass = new Pass(budgetEnd);
        List<Rec> todo = recs;
        for (int attempt = 1; ; attempt++) {
            List<Rec> again = new ArrayList<>();
            writeOrBisect(todo, again, pass);
            if (again.isEmpty()) {
                break;
            }
            Duration delay = retry.delayBeforeRetry(attempt);
            long now = System.nanoTime();
            if (attempt >= retry.maxAttempts() || now - start + delay.toNanos() > retry.maxTotal().toNanos()
                    || now + delay.toNanos() >= budgetEnd) {
                break; // left as RETRY: their messages are nacked
            }
            LOG.debugf("sink %s: %d records to retry (attempt %d; %s); retrying in %d ms",
                    name, again.size(), attempt, again.get(0).reason, delay.toMillis());
            span.addEvent("retry");
            metrics.retries.increment();
            Thread.sleep(delay.toMillis(), (int) (delay.toNanos() % 1_000_000));
            todo = again;
        }
        if (!pass.thrownRejects.isEmpty() && !pass.anyDelivered) {
            // Every record failed permanently on its own: that is the destination (credentials,
            // missing table), not the data. Dead-lettering them all would empty the stream into
            // the dead-letter store; nack and let readiness and the logs say what is wrong.
            for (Rec r : pass.thrownRejects) {
                r.state = State.RETRY;
            }
        }
        return pass.lastFailure;
    }

    private void writeOrBisect(List<Rec> part, List<Rec> again, Pass pass) throws InterruptedException {
        long deadline = Math.min(System.nanoTime() + policy.writeTimeout().toNanos(), pass.budgetEnd);
        List<SinkRecord> records = new ArrayList<>(part.size());
        for (Rec r : part) {
            records.add(r.record);
        }
        WriteResult result;
        try {
            result = sink.write(new WriteBatch(records, deadline));
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            pass.lastFailure = e;
            String reason = describe(e);
            if (safeIsTransient(e)) {
                markRetry(part, again, reason);
            } else if (part.size() == 1) {
                Rec r = part.get(0);
                r.state = State.REJECTED;
                r.reason = reason;
                pass.thrownRejects.add(r);
            } else if (System.nanoTime() >= pass.budgetEnd) {
                markRetry(part, again, reason);
            } else {
                metrics.bisections.increment();
                int mid = part.size() / 2;
                writeOrBisect(part.subList(0, mid), again, pass);
                writeOrBisect(part.subList(mid, part.size()), again, pass);
            }
            return;
        }
        if (result == null || (result.size() >= 0 && result.size() != part.size())) {
            LOG.errorf("sink %s: write answered %s for %d records; treating them as not written",
                    name, result == null ? "null" : result.size() + " outcomes", part.size());
            markRetry(part, again, "sink answered a malformed result");
            return;
        }
        for (int i = 0; i < part.size(); i++) {
            Rec r = part.get(i);
            RecordOutcome o = result.outcome(i);
            switch (o.kind()) {
                case DELIVERED -> {
                    r.state = State.DELIVERED;
                    pass.anyDelivered = true;
                }
                case RETRY -> {
                    r.state = State.RETRY;
                    r.reason = o.reason();
                    again.add(r);
                }
                case REJECTED -> {
                    r.state = State.REJECTED;
                    r.reason = o.reason();
                    // A rejection the sink answered itself is about this record: the destination works.
                    pass.anyDelivered = true;
                }
            }
        }
    }

    private static void markRetry(List<Rec> part, List<Rec> again, String reason) {
        for (Rec r : part) {
            r.state = State.RETRY;
            r.reason = reason;
            again.add(r);
        }
    }

    /** Stores the letters, retrying transient failures within the budget; false if they could not be kept. */
    private boolean keepDeadLetters(List<DeadLetter> letters, long budgetEnd, Span span) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                deadLetters.write(letters);
                long events = letters.stream().filter(l -> l.event() != null).count();
                metrics.deadLetteredEvents.increment(events);
                metrics.deadLetteredMessages.increment(letters.size() - events);
                LOG.warnf("sink %s: %d records rejected and %d undecodable messages kept in the dead-letter store %s (first: %s)",
                        name, events, letters.size() - events, deadLetters.describe(), truncate(letters.get(0).reason(), 200));
                return true;
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                boolean again = safe(() -> deadLetters.isTransient(e));
                Duration delay = retry.delayBeforeRetry(attempt);
                if (!again || attempt >= retry.maxAttempts() || System.nanoTime() + delay.toNanos() >= budgetEnd) {
                    LOG.errorf("sink %s: dead-letter store %s failed (%s); the %d messages concerned are nacked",
                            name, deadLetters.describe(), describe(e), letters.size());
                    recordFailure("dead-letter store: " + describe(e));
                    return false;
                }
                span.addEvent("dead-letter retry");
                metrics.retries.increment();
                Thread.sleep(delay.toMillis(), (int) (delay.toNanos() % 1_000_000));
            }
        }
    }

    private boolean safeIsTransient(Exception e) {
        return safe(() -> sink.isTransient(e));
    }

    private boolean safe(java.util.function.BooleanSupplier classifier) {
        try {
            return classifier.getAsBoolean();
        } catch (RuntimeException classifierBug) {
            LOG.errorf(classifierBug, "sink %s: a retry classifier threw; treating the failure as permanent", name);
            return false;
        }
    }

    private boolean ack(Item it) {
        if (it.delivery.ack()) {
            metrics.acked.increment();
            settled(it);
            return true;
        }
        return false;
    }

    private boolean nack(Item it) {
        if (it.delivery.nack()) {
            metrics.nacked.increment();
            settled(it);
            return true;
        }
        return false;
    }

    private void settled(Item it) {
        backlogMessages.decrementAndGet();
        backlogBytes.addAndGet(-it.bytes);
    }

    private void nackAll(List<Item> items, String why) {
        int n = 0;
        for (Item it : items) {
            if (nack(it)) {
                n++;
            }
        }
        if (n > 0) {
            LOG.debugf("sink %s: nacked %d messages (%s)", name, n, why);
        }
    }

    private void recordFailure(String why) {
        lastFailureAt = Instant.now();
        lastFailure = why;
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
        return s == null || s.length() <= max ? s : s.substring(0, max) + "…";
    }

    private enum State { PENDING, DELIVERED, RETRY, REJECTED }

    /** One record of a batch and what became of it. */
    private static final class Rec {
        final Item item;
        final SinkRecord record;
        State state = State.PENDING;
        String reason;

        Rec(Item item, SinkRecord record) {
            this.item = item;
            this.record = record;
            item.recs.add(this);
        }
    }

    /** State of one flush's writes. */
    private static final class Pass {
        final long budgetEnd;
        final List<Rec> thrownRejects = new ArrayList<>();
        boolean anyDelivered;
        Throwable lastFailure;

        Pass(long budgetEnd) {
            this.budgetEnd = budgetEnd;
        }
    }

    private static final class Item {
        final Delivery delivery;
        final List<SinkRecord> records;
        final String undecodableReason;
        final long bytes;
        final long acceptedNanos;
        final boolean urgent;
        final List<Rec> recs = new ArrayList<>();
        /** Refused by {@link EventSink#wants} before decoding: acked without a write. */
        boolean skipped;

        Item(Delivery delivery, List<SinkRecord> records, String undecodableReason, long bytes, long acceptedNanos,
             boolean urgent) {
            this.delivery = delivery;
            this.records = records;
            this.undecodableReason = undecodableReason;
            this.bytes = bytes;
            this.acceptedNanos = acceptedNanos;
            this.urgent = urgent;
        }

        /** Whether the message may be acked: every record delivered or (with the letters kept) dead-lettered. */
        boolean settleable(boolean lettersKept) {
            if (undecodableReason != null) {
                return lettersKept;
            }
            for (Rec r : recs) {
                if (r.state == State.REJECTED ? !lettersKept : r.state != State.DELIVERED) {
                    return false;
                }
            }
            return true;
        }
    }

    private static final class Batch {
        final List<Item> items = new ArrayList<>();
        int events;
        long bytes;
        long oldestNanos;
        boolean urgent;

        boolean isEmpty() {
            return items.isEmpty();
        }

        void add(Item it) {
            if (items.isEmpty()) {
                oldestNanos = it.acceptedNanos;
            }
            items.add(it);
            events += it.records.size();
            bytes += it.bytes;
            urgent |= it.urgent;
        }

        long deadline(Duration maxAge) {
            return oldestNanos + maxAge.toNanos();
        }

        void clear() {
            items.clear();
            events = 0;
            bytes = 0;
            urgent = false;
        }
    }
}
