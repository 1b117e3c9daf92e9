package dev.fanout.testsupport.pubsub;

import com.google.pubsub.v1.PubsubMessage;
import com.google.pubsub.v1.ReceivedMessage;
import com.google.pubsub.v1.Subscription;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One subscription: a queue of messages waiting for delivery and the leases of delivered ones.
 *
 * <p>Ack ids name the message and the delivery attempt ({@code <seq>-<attempt>}); an ack or
 * deadline change only acts on the lease of that exact attempt, so a late ack of an expired
 * delivery cannot remove the redelivered message. All state is guarded by {@code this}; sends to
 * streams and HTTP pushes happen outside the lock.
 */
final class FakeSubscription {

    /** Messages per StreamingPull response; keeps frames small. */
    private static final int MAX_MESSAGES_PER_RESPONSE = 1_000;
    /** Bytes per StreamingPull response (a single larger message is still sent alone). */
    private static final long MAX_BYTES_PER_RESPONSE = 4L * 1024 * 1024;

    private record Pending(long seq, PubsubMessage message, int attempts) {
    }

    private static final class Lease {
        final long seq;
        final PubsubMessage message;
        final int attempt;
        final String ackId;
        final StreamingPullSession owner;
        final boolean push;
        long deadlineNanos;

        Lease(Pending pending, long deadlineNanos, StreamingPullSession owner, boolean push) {
            this.seq = pending.seq();
            this.message = pending.message();
            this.attempt = pending.attempts() + 1;
            this.ackId = seq + "-" + attempt;
            this.owner = owner;
            this.push = push;
            this.deadlineNanos = deadlineNanos;
        }

        Pending toPending() {
            return new Pending(seq, message, attempt);
        }

        ReceivedMessage toReceived() {
            return ReceivedMessage.newBuilder().setAckId(ackId).setMessage(message).setDeliveryAttempt(attempt)
                    .build();
        }
    }

    private final PubSubFake fake;
    private final Subscription resource;
    private final URI pushEndpoint;
    private final Supplier<String> bearerToken;
    /** Adaptive push window: where it starts (Pub/Sub: "a small single-digit window"). */
    static final int ADAPTIVE_START = 4;
    /** Adaptive push window: the fake's ceiling, so one machine is not flooded. */
    static final int ADAPTIVE_MAX = 256;

    /** 0 = adaptive, else the fixed number of concurrent pushes. */
    private final int fixedConcurrency;
    private int pushWindow = ADAPTIVE_START;

    private final Deque<Pending> ready = new ArrayDeque<>();
    private final Map<Long, Lease> leases = new HashMap<>();
    private final List<StreamingPullSession> streams = new ArrayList<>();
    private int streamCursor;
    private long nextSeq;
    private int acked;
    private int nacked;
    private int expired;
    private int delivered;
    private int backingOff;
    private int pushesInFlight;
    private boolean pumpScheduled;
    private boolean shutdown;

    FakeSubscription(PubSubFake fake, Subscription resource, Supplier<String> bearerToken, int pushConcurrency) {
        this.fake = fake;
        this.resource = resource;
        String endpoint = resource.getPushConfig().getPushEndpoint();
        this.pushEndpoint = endpoint.isEmpty() ? null : URI.create(endpoint);
        this.bearerToken = bearerToken;
        this.fixedConcurrency = pushConcurrency;
    }

    Subscription resource() {
        return resource;
    }

    String name() {
        return resource.getName();
    }

    String topic() {
        return resource.getTopic();
    }

    boolean isPush() {
        return pushEndpoint != null;
    }

    synchronized int acked() {
        return acked;
    }

    synchronized int nacked() {
        return nacked;
    }

    synchronized int expired() {
        return expired;
    }

    synchronized int delivered() {
        return delivered;
    }

    synchronized int outstanding() {
        return leases.size();
    }

    synchronized int pending() {
        return ready.size() + backingOff;
    }

    void enqueue(List<PubsubMessage> messages) {
        synchronized (this) {
            if (shutdown) {
                return;
            }
            for (PubsubMessage m : messages) {
                ready.addLast(new Pending(++nextSeq, m, 0));
            }
        }
        schedulePump();
    }

    void shutdown() {
        synchronized (this) {
            shutdown = true;
            ready.clear();
            leases.clear();
        }
        List<StreamingPullSession> open;
        synchronized (this) {
            open = List.copyOf(streams);
            streams.clear();
        }
        open.forEach(StreamingPullSession::closeFromServer);
    }

    // ------------------------------------------------------------------ acks and deadlines

    /** Acks the delivery named by {@code ackId} if it is still the current lease. */
    void ack(String ackId) {
        boolean released;
        synchronized (this) {
            Lease lease = current(ackId);
            if (lease == null) {
                return;
            }
            leases.remove(lease.seq);
            acked++;
            released = release(lease);
        }
        if (released) {
            schedulePump();
        }
    }

    /** Extends a lease, or with {@code seconds <= 0} nacks it for immediate redelivery. */
    void modifyAckDeadline(String ackId, int seconds) {
        synchronized (this) {
            Lease lease = current(ackId);
            if (lease == null) {
                return;
            }
            if (seconds > 0) {
                lease.deadlineNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
                return;
            }
            leases.remove(lease.seq);
            nacked++;
            release(lease);
            ready.addFirst(lease.toPending());
        }
        schedulePump();
    }

    /** Puts expired pull leases back at the head of the queue. Push leases expire via HTTP timeout. */
    void expire(long nowNanos) {
        List<Lease> due = new ArrayList<>();
        synchronized (this) {
            for (Lease lease : leases.values()) {
                if (!lease.push && lease.deadlineNanos - nowNanos <= 0) {
                    due.add(lease);
                }
            }
            if (due.isEmpty()) {
                return;
            }
            requeueFront(due);
            expired += due.size();
        }
        schedulePump();
    }

    private void requeueFront(List<Lease> due) {
        due.sort(Comparator.comparingLong((Lease l) -> l.seq).reversed());
        for (Lease lease : due) {
            leases.remove(lease.seq);
            release(lease);
            ready.addFirst(lease.toPending());
        }
    }

    private Lease current(String ackId) {
        int dash = ackId.indexOf('-');
        if (dash <= 0) {
            return null;
        }
        try {
            long seq = Long.parseLong(ackId, 0, dash, 10);
            int attempt = Integer.parseInt(ackId, dash + 1, ackId.length(), 10);
            Lease lease = leases.get(seq);
            return lease != null && lease.attempt == attempt ? lease : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Frees flow-control capacity on the owning stream; true when a stream gained capacity. */
    private boolean release(Lease lease) {
        if (lease.owner == null) {
            return false;
        }
        lease.owner.outstandingMessages--;
        lease.owner.outstandingBytes -= lease.message.getSerializedSize();
        return true;
    }

    // ------------------------------------------------------------------ unary pull

    synchronized List<ReceivedMessage> pull(int maxMessages) {
        List<ReceivedMessage> out = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(resource.getAckDeadlineSeconds());
        while (out.size() < maxMessages && !ready.isEmpty()) {
            out.add(lease(ready.pollFirst(), deadline, null, false).toReceived());
        }
        return out;
    }

    private Lease lease(Pending pending, long deadlineNanos, StreamingPullSession owner, boolean push) {
        Lease lease = new Lease(pending, deadlineNanos, owner, push);
        leases.put(lease.seq, lease);
        delivered++;
        if (owner != null) {
            owner.outstandingMessages++;
            owner.outstandingBytes += lease.message.getSerializedSize();
        }
        return lease;
    }

    // ------------------------------------------------------------------ streaming pull

    void attach(StreamingPullSession session) {
        synchronized (this) {
            if (shutdown) {
                session.closeFromServer();
                return;
            }
            streams.add(session);
        }
        schedulePump();
    }

    /** Ends every open StreamingPull stream of this subscription with {@code status}. */
    void endStreams(io.grpc.Status status) {
        List<StreamingPullSession> open;
        synchronized (this) {
            open = List.copyOf(streams);
        }
        open.forEach(s -> s.endWith(status));
    }

    void detach(StreamingPullSession session) {
        boolean requeued = false;
        synchronized (this) {
            if (!streams.remove(session)) {
                return;
            }
            if (fake.redeliverOnStreamCloseEnabled()) {
                List<Lease> owned = new ArrayList<>();
                for (Lease lease : leases.values()) {
                    if (lease.owner == session) {
                        owned.add(lease);
                    }
                }
                requeueFront(owned);
                expired += owned.size();
                requeued = !owned.isEmpty();
            }
        }
        if (requeued) {
            schedulePump();
        }
    }

    void schedulePump() {
        synchronized (this) {
            if (pumpScheduled || shutdown) {
                return;
            }
            pumpScheduled = true;
        }
        try {
            fake.scheduler().execute(this::pump);
        } catch (RuntimeException e) {
            // Scheduler already shut down: the fake is closing.
            synchronized (this) {
                pumpScheduled = false;
            }
        }
    }

    private void pump() {
        synchronized (this) {
            pumpScheduled = false;
        }
        if (isPush()) {
            pumpPush();
        } else {
            pumpStreams();
        }
    }

    private void pumpStreams() {
        while (true) {
            StreamingPullSession target = null;
            List<ReceivedMessage> batch = new ArrayList<>();
            synchronized (this) {
                if (shutdown || ready.isEmpty() || streams.isEmpty()) {
                    return;
                }
                for (int i = 0; i < streams.size() && target == null; i++) {
                    StreamingPullSession candidate = streams.get((streamCursor + i) % streams.size());
                    if (candidate.hasCapacity()) {
                        target = candidate;
                        streamCursor = (streamCursor + i + 1) % streams.size();
                    }
                }
                if (target == null) {
                    return;
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(target.ackDeadlineSeconds);
                long bytes = 0;
                while (!ready.isEmpty() && batch.size() < MAX_MESSAGES_PER_RESPONSE) {
                    Pending next = ready.peekFirst();
                    long size = next.message().getSerializedSize();
                    boolean first = batch.isEmpty();
                    if (!first && (bytes + size > MAX_BYTES_PER_RESPONSE || !target.hasCapacity(size))) {
                        break;
                    }
                    if (first && !target.hasCapacity(size) && target.outstandingMessages > 0) {
                        break;
                    }
                    ready.pollFirst();
                    bytes += size;
                    batch.add(lease(next, deadline, target, false).toReceived());
                }
            }
            if (batch.isEmpty()) {
                return;
            }
            // Leases of a failed send simply expire and are redelivered.
            target.send(batch);
        }
    }

    // ------------------------------------------------------------------ push

    private void pumpPush() {
        while (true) {
            Lease lease;
            synchronized (this) {
                if (shutdown || ready.isEmpty() || pushesInFlight >= pushLimit()) {
                    return;
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(resource.getAckDeadlineSeconds());
                lease = lease(ready.pollFirst(), deadline, null, true);
                pushesInFlight++;
            }
            push(lease);
        }
    }

    /** Current bound on concurrent pushes (caller holds the lock). */
    private int pushLimit() {
        return fixedConcurrency > 0 ? fixedConcurrency : pushWindow;
    }

    /** Concurrent pushes allowed right now (the adaptive window, or the fixed setting). */
    public synchronized int pushConcurrency() {
        return pushLimit();
    }

    private void push(Lease lease) {
        try {
            HttpRequest.Builder builder = HttpRequest.newBuilder(pushEndpoint)
                    .timeout(Duration.ofSeconds(resource.getAckDeadlineSeconds()))
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "APIs-Google; (+https://developers.google.com/webmasters/APIs-Google.html)")
                    .POST(HttpRequest.BodyPublishers.ofString(PushBody.json(name(), lease.message, lease.attempt)));
            if (bearerToken != null) {
                String token = bearerToken.get();
                if (token != null) {
                    builder.header("Authorization", "Bearer " + token);
                }
            }
            fake.httpClient().sendAsync(builder.build(), HttpResponse.BodyHandlers.discarding())
                    .whenComplete((response, error) -> pushDone(lease,
                            error == null && response.statusCode() >= 200 && response.statusCode() < 300));
        } catch (RuntimeException e) {
            // A token supplier or endpoint that throws is a failed delivery like any other.
            pushDone(lease, false);
        }
    }

    private void pushDone(Lease lease, boolean success) {
        boolean retry = false;
        synchronized (this) {
            pushesInFlight--;
            // Slow start as Pub/Sub does it: grow while there is more to send, back off on failure.
            if (success && !ready.isEmpty()) {
                pushWindow = Math.min(ADAPTIVE_MAX, pushWindow + 1);
            } else if (!success) {
                pushWindow = Math.max(1, pushWindow / 2);
            }
            if (leases.get(lease.seq) == lease) {
                leases.remove(lease.seq);
                if (success) {
                    acked++;
                } else {
                    nacked++;
                    backingOff++;
                    retry = !shutdown;
                }
            }
        }
        if (retry) {
            Duration backoff = fake.pushBackoff(lease.attempt);
            try {
                fake.scheduler().schedule(() -> {
                    synchronized (this) {
                        backingOff--;
                        if (shutdown) {
                            return;
                        }
                        ready.addFirst(lease.toPending());
                    }
                    schedulePump();
                }, backoff.toNanos(), TimeUnit.NANOSECONDS);
            } catch (RuntimeException e) {
                // Scheduler already shut down: the fake is closing.
            }
        }
        schedulePump();
    }
}
