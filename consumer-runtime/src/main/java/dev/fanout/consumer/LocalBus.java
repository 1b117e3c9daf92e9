package dev.fanout.consumer;

import dev.fanout.events.BusMessage;
import dev.fanout.events.ReceivedMessage;
import dev.fanout.events.port.EventPublisher;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;

/**
 * The in-process event bus of the one-process local pipeline, with Pub/Sub's delivery semantics so
 * that the same batching and ack-after-write code runs locally: every subscription (one per sink)
 * gets every message; a delivery is settled by ack or nack; a nack or an expired ack deadline
 * redelivers with {@code deliveryAttempt + 1}; a subscription has at most
 * {@link Options#maxOutstandingMessages()} unsettled deliveries.
 *
 * <p>{@link #publish} completes as soon as the message is queued for every subscription (memory
 * is this bus's "durable"); the bus holds at most {@link Options#maxOutstandingBytes()} of messages
 * that are not yet acked by every subscription, and beyond that fails the future with
 * {@link EventPublisher.BackpressureException}, which the ingest bridge turns into a 503. On
 * shutdown, {@link #drain} stops publishing and hands everything queued to the subscribers before
 * their batchers flush; messages still unacked at {@link #close} are lost with the process, and
 * that is logged. Hence it is not the local default any more ({@code fanout.consumer.local.bus=memory}
 * selects it; the default is the durable journal): it serves tests and runs where that loss is fine.
 */
public final class LocalBus implements InProcessBus {

    private final java.util.concurrent.locks.ReentrantReadWriteLock acceptGate = new java.util.concurrent.locks.ReentrantReadWriteLock();

    private static final Logger LOG = Logger.getLogger(LocalBus.class);

    /**
     * @param maxOutstandingBytes    bytes (data + attributes) of messages not yet acked by every subscription
     * @param maxOutstandingMessages unsettled deliveries per subscription
     * @param ackDeadline            a delivery neither acked nor nacked within this is redelivered
     * @param minRedeliveryDelay     delay before redelivering after the first nack; doubles per attempt
     * @param maxRedeliveryDelay     cap of that delay
     * @param dispatchThreads        threads per subscription that hand messages to its handler (the
     *                               handler decodes on them, so more threads decode in parallel)
     */
    public record Options(long maxOutstandingBytes, int maxOutstandingMessages, Duration ackDeadline,
                          Duration minRedeliveryDelay, Duration maxRedeliveryDelay, int dispatchThreads) {
        public Options {
            if (maxOutstandingBytes < 1 || maxOutstandingMessages < 1 || ackDeadline.isNegative() || ackDeadline.isZero()
                    || dispatchThreads < 1) {
                throw new IllegalArgumentException("invalid local bus options");
            }
        }

        /** One dispatch thread per subscription. */
        public Options(long maxOutstandingBytes, int maxOutstandingMessages, Duration ackDeadline,
                       Duration minRedeliveryDelay, Duration maxRedeliveryDelay) {
            this(maxOutstandingBytes, maxOutstandingMessages, ackDeadline, minRedeliveryDelay, maxRedeliveryDelay, 1);
        }
    }

    /** Receives deliveries; may block (that is the bus's backpressure towards the subscriber). */
    @FunctionalInterface
    public interface Handler {
        void deliver(Delivery delivery) throws InterruptedException;

        /**
         * Whether a message with these attributes is wanted at all; a bus may ack an unwanted one
         * without handing it over (the durable journal does, without copying its payload). This
         * in-memory bus hands every message over. Default: every message is wanted.
         */
        default boolean wants(java.util.Map<String, String> attributes) {
            return true;
        }
    }

    private final Options options;
    private final List<Sub> subs = new CopyOnWriteArrayList<>();
    private final AtomicLong outstandingBytes = new AtomicLong();
    private final AtomicLong ids = new AtomicLong();
    private final ScheduledExecutorService timers;
    private final Object allAcked = new Object();
    private volatile boolean accepting = true;
    private volatile boolean closed;

    public LocalBus(Options options) {
        this.options = Objects.requireNonNull(options, "options");
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fanout-localbus-timer");
            t.setDaemon(true);
            return t;
        });
    }

    public Options options() {
        return options;
    }

    /** Adds a subscription that receives every message published from now on. */
    public void subscribe(String name, Handler handler) {
        subscribe(name, handler, new Bounds(options.maxOutstandingMessages(), options.maxOutstandingBytes()));
    }

    /**
     * As {@link #subscribe(String, Handler)} with this subscription's own bound of unsettled
     * deliveries ({@link Bounds#maxUnsettledMessages()}); the byte bound of this bus is
     * {@link Options#maxOutstandingBytes()} for all subscriptions together.
     */
    @Override
    public synchronized void subscribe(String name, Handler handler, Bounds bounds) {
        Objects.requireNonNull(handler, "handler");
        if (closed) {
            throw new IllegalStateException("local bus closed");
        }
        for (Sub s : subs) {
            if (s.name.equals(name)) {
                throw new IllegalArgumentException("subscription exists: " + name);
            }
        }
        Sub s = new Sub(name, handler, bounds.maxUnsettledMessages());
        subs.add(s);
        s.threads.forEach(Thread::start);
    }

    /** Names of the subscriptions, in subscription order. */
    public List<String> subscriptions() {
        return subs.stream().map(s -> s.name).toList();
    }

    @Override
    public CompletableFuture<String> publish(BusMessage message) {
        // The read lock spans the accepting check and the enqueue, so drain() (write lock) cannot
        // finish between them: a publish that succeeds is always handed over before shutdown.
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
        List<Sub> targets = List.copyOf(subs);
        if (targets.isEmpty()) {
            // Pub/Sub would drop it; here that would silently lose an acknowledged event.
            return CompletableFuture.failedFuture(new IllegalStateException("local bus has no subscription"));
        }
        long size = message.billableSize();
        while (true) {
            long cur = outstandingBytes.get();
            // A single message larger than the bound is still accepted into an empty bus.
            if (cur > 0 && cur + size > options.maxOutstandingBytes()) {
                return CompletableFuture.failedFuture(new BackpressureException(
                        "local bus holds " + cur + " unacked bytes (bound " + options.maxOutstandingBytes() + ")"));
            }
            if (outstandingBytes.compareAndSet(cur, cur + size)) {
                break;
            }
        }
        Msg m = new Msg(Long.toString(ids.incrementAndGet()), message, Instant.now(), size, new AtomicInteger(targets.size()));
        for (Sub s : targets) {
            s.enqueue(new Pending(m, 1));
        }
        return CompletableFuture.completedFuture(m.id);
    }

    @Override
    public boolean healthy() {
        return accepting && !closed;
    }

    /** Bytes of messages published and not yet acked by every subscription. */
    @Override
    public long outstandingBytes() {
        return outstandingBytes.get();
    }

    /**
     * Waits until every published message was acked by every subscription (or the timeout passed);
     * for tests and for tools that must know the pipeline is idle. Returns whether it is.
     */
    public boolean awaitAllAcked(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (allAcked) {
            while (outstandingBytes.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(allAcked, left);
            }
            return true;
        }
    }

    @Override
    public Map<String, dev.fanout.journal.Backlog> backlog() {
        Map<String, dev.fanout.journal.Backlog> m = new java.util.LinkedHashMap<>();
        for (Sub s : subs) {
            m.put(s.name, s.backlog());
        }
        return m;
    }

    @Override
    public boolean durable() {
        return false;
    }

    @Override
    public String describe() {
        return "in-memory bus (lost with the process), bound " + options.maxOutstandingBytes() + " bytes";
    }

    /** Messages queued or delivered but not yet acked, per subscription. */
    public Map<String, Integer> unacked() {
        Map<String, Integer> m = new java.util.LinkedHashMap<>();
        for (Sub s : subs) {
            m.put(s.name, s.unacked());
        }
        return m;
    }

    /**
     * Stops accepting publishes and waits (at most {@code timeout}) until every subscription has
     * handed its queued messages to its handler, so that a following batcher shutdown flushes them.
     * Returns true if everything was handed over.
     */
    public boolean drain(Duration timeout) throws InterruptedException {
        acceptGate.writeLock().lock();
        try {
            accepting = false;
        } finally {
            acceptGate.writeLock().unlock();
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Sub s : subs) {
            if (!s.awaitHandedOver(deadline)) {
                return false;
            }
        }
        return true;
    }

    /** Stops dispatching; logs what is lost (messages unacked by some subscription). */
    @Override
    public void close() {
        accepting = false;
        closed = true;
        for (Sub s : subs) {
            s.stop();
        }
        timers.shutdownNow();
        for (Sub s : subs) {
            int n = s.unacked();
            if (n > 0) {
                LOG.errorf("local bus: subscription %s still had %d unacked messages at shutdown; they are lost with this process",
                        s.name, n);
            }
        }
    }

    private Duration redeliveryDelay(int attempt) {
        long min = options.minRedeliveryDelay().toNanos();
        long max = options.maxRedeliveryDelay().toNanos();
        long d = min;
        for (int i = 1; i < attempt && d < max; i++) {
            d *= 2;
        }
        return Duration.ofNanos(Math.min(d, max));
    }

    private record Msg(String id, BusMessage message, Instant publishTime, long size, AtomicInteger remainingSubs) {}

    private record Pending(Msg msg, int attempt) {}

    private static final class InFlight {
        final Pending pending;
        volatile ScheduledFuture<?> expiry;

        InFlight(Pending pending) {
            this.pending = pending;
        }
    }

    private enum Settle { ACK, NACK, EXPIRED }

    private final class Sub {
        final String name;
        final Handler handler;
        final int maxUnsettled;
        final List<Thread> threads = new java.util.ArrayList<>();
        final ReentrantLock lock = new ReentrantLock();
        final Condition changed = lock.newCondition();
        final ArrayDeque<Pending> ready = new ArrayDeque<>();
        final ConcurrentHashMap<String, InFlight> inFlight = new ConcurrentHashMap<>();
        /** Messages nacked and waiting for their redelivery timer. */
        int delayed;
        /** Bytes of the messages this subscription has not acked. */
        long bytes;
        int dispatching;
        volatile boolean stopped;

        Sub(String name, Handler handler, int maxUnsettled) {
            this.name = name;
            this.handler = handler;
            this.maxUnsettled = maxUnsettled;
            for (int i = 0; i < options.dispatchThreads(); i++) {
                Thread t = new Thread(this::dispatch, "fanout-localbus-" + name + "-" + i);
                t.setDaemon(true);
                threads.add(t);
            }
        }

        int unacked() {
            lock.lock();
            try {
                return ready.size() + inFlight.size() + delayed;
            } finally {
                lock.unlock();
            }
        }

        /** Messages, bytes and age of the oldest queued or in-flight one (those awaiting redelivery are not aged). */
        dev.fanout.journal.Backlog backlog() {
            lock.lock();
            try {
                int n = ready.size() + inFlight.size() + delayed;
                if (n == 0) {
                    return dev.fanout.journal.Backlog.EMPTY;
                }
                Instant oldest = ready.isEmpty() ? null : ready.peekFirst().msg.publishTime;
                for (InFlight f : inFlight.values()) {
                    Instant t = f.pending.msg.publishTime;
                    oldest = oldest == null || t.isBefore(oldest) ? t : oldest;
                }
                Duration age = oldest == null ? Duration.ZERO : Duration.between(oldest, Instant.now());
                return new dev.fanout.journal.Backlog(n, bytes, age.isNegative() ? Duration.ZERO : age);
            } finally {
                lock.unlock();
            }
        }

        void enqueue(Pending p) {
            lock.lock();
            try {
                bytes += p.msg.size;
                ready.addLast(p);
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        void stop() {
            stopped = true;
            threads.forEach(Thread::interrupt);
        }

        boolean awaitHandedOver(long deadlineNanos) throws InterruptedException {
            lock.lock();
            try {
                while (!ready.isEmpty() || dispatching > 0 || delayed > 0) {
                    long left = deadlineNanos - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    changed.awaitNanos(left);
                }
                return true;
            } finally {
                lock.unlock();
            }
        }

        void dispatch() {
            try {
                while (!stopped) {
                    Pending p;
                    lock.lockInterruptibly();
                    try {
                        while (ready.isEmpty() || inFlight.size() >= maxUnsettled) {
                            changed.await();
                        }
                        p = ready.pollFirst();
                        dispatching++;
                    } finally {
                        lock.unlock();
                    }
                    try {
                        deliver(p);
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

        private void deliver(Pending p) throws InterruptedException {
            Msg m = p.msg;
            String key = m.id;
            InFlight f = new InFlight(p);
            inFlight.put(key, f);
            f.expiry = timers.schedule(() -> settle(key, f, Settle.EXPIRED),
                    options.ackDeadline().toNanos(), TimeUnit.NANOSECONDS);
            ReceivedMessage rm = new ReceivedMessage(m.id, m.message.data(), m.message.attributes(), m.publishTime, p.attempt);
            Delivery d = Delivery.of(rm, () -> settle(key, f, Settle.ACK), () -> settle(key, f, Settle.NACK));
            try {
                handler.deliver(d);
            } catch (InterruptedException e) {
                throw e;
            } catch (RuntimeException e) {
                LOG.errorf(e, "local bus: subscriber %s failed on message %s; redelivering", name, m.id);
                d.nack();
            }
        }

        /** Settles one delivery attempt; a late ack/nack of an attempt already redelivered is ignored. */
        void settle(String key, InFlight f, Settle how) {
            if (!inFlight.remove(key, f)) {
                return;
            }
            ScheduledFuture<?> e = f.expiry;
            if (how != Settle.EXPIRED && e != null) {
                e.cancel(false);
            }
            Msg m = f.pending.msg;
            Pending next = new Pending(m, f.pending.attempt + 1);
            lock.lock();
            try {
                switch (how) {
                    case ACK -> {
                        bytes -= m.size;
                        if (m.remainingSubs.decrementAndGet() == 0 && outstandingBytes.addAndGet(-m.size) == 0) {
                            synchronized (allAcked) {
                                allAcked.notifyAll();
                            }
                        }
                    }
                    case EXPIRED -> {
                        LOG.debugf("local bus: ack deadline of message %s expired on %s; redelivering", key, name);
                        ready.addLast(next);
                    }
                    case NACK -> {
                        delayed++;
                        try {
                            timers.schedule(() -> redeliver(next), redeliveryDelay(f.pending.attempt).toNanos(),
                                    TimeUnit.NANOSECONDS);
                        } catch (java.util.concurrent.RejectedExecutionException closing) {
                            delayed--;
                            ready.addLast(next);
                        }
                    }
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        private void redeliver(Pending next) {
            lock.lock();
            try {
                delayed--;
                ready.addLast(next);
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }
}
