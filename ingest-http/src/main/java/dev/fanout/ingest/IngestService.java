package dev.fanout.ingest;

import dev.fanout.events.BusMessage;
import dev.fanout.events.CriblDecoder;
import dev.fanout.events.CriblDecoderOptions;
import dev.fanout.events.DecodeResult;
import dev.fanout.events.MessageEncoder;
import dev.fanout.events.MessageEncoderOptions;
import dev.fanout.events.port.EventPublisher;
import dev.fanout.ingest.auth.AuthorizationHeader;
import dev.fanout.ingest.auth.TokenVerifier;
import dev.fanout.ingest.body.Body;
import dev.fanout.ingest.body.BodyLimits;
import dev.fanout.ingest.body.BoundedBodyReader;
import dev.fanout.ingest.body.ContentCoding;
import dev.fanout.ingest.config.IngestConfig;
import dev.fanout.pubsub.PubSubConfig;
import dev.fanout.ingest.health.PublishHealth;
import dev.fanout.ingest.memory.MemoryBudget;
import dev.fanout.ingest.memory.MemoryGrant;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.jboss.logging.Logger;

/**
 * The ingest pipeline behind {@code /v1/events}: authenticate, bound and inflate the body, decode
 * Cribl's batch, map it to bus messages and publish them, and acknowledge only when the bus has
 * confirmed every message. Every way this can go wrong ends in an {@link IngestRejection}.
 */
@Singleton
public class IngestService {

    private static final Logger LOG = Logger.getLogger(IngestService.class);

    private final EventPublisher publisher;
    private final IngestMetrics metrics;
    private final PublishHealth health;
    private final boolean authEnabled;
    private final TokenVerifier tokens;
    private final BoundedBodyReader reader;
    private final CriblDecoder decoder;
    private final MessageEncoder encoder;
    private final Duration publishTimeout;
    private final long maxOutstandingBytes;
    private final Semaphore decodeSlots;
    private final MemoryBudget budget;

    public IngestService(IngestConfig config, PubSubConfig pubsub, EventPublisher publisher, IngestMetrics metrics,
            PublishHealth health, MemoryBudget budget) {
        this.publisher = publisher;
        this.metrics = metrics;
        this.health = health;
        this.authEnabled = config.auth().enabled();
        this.tokens = new TokenVerifier(config.tokens().orElse(List.of()));
        if (config.maxDecompressedBytes() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("fanout.ingest.max-decompressed-bytes must be at most " + (Integer.MAX_VALUE - 8));
        }
        this.reader = new BoundedBodyReader(new BodyLimits(config.maxRequestBytes(), (int) config.maxDecompressedBytes()));
        this.budget = budget;
        long largest = MemoryBudget.HEAP_PER_BODY_BYTE * config.maxDecompressedBytes();
        if (largest > budget.total()) {
            // A body inside the limits that could never get its grant would be answered 503 forever.
            throw new IllegalStateException("fanout.ingest.max-decompressed-bytes=" + config.maxDecompressedBytes()
                    + " needs " + largest + " bytes of memory budget (" + MemoryBudget.HEAP_PER_BODY_BYTE
                    + " per body byte) but the budget is " + budget.total() + " (fanout.ingest.memory.budget-bytes, "
                    + "default 60% of the maximum heap): lower the limit or raise -Xmx");
        }
        this.decoder = new CriblDecoder(new CriblDecoderOptions(config.wrapperPointer().filter(p -> !p.isBlank())));
        MessageEncoderOptions d = MessageEncoderOptions.defaults();
        IngestConfig.Packing p = config.packing();
        this.encoder = new MessageEncoder(new MessageEncoderOptions(p.mode(),
                p.maxUncompressedBytes().orElse(d.maxPackedUncompressedBytes()),
                p.maxEvents().orElse(d.maxPackedEvents()),
                p.gzipLevel().orElse(d.gzipLevel())));
        this.publishTimeout = config.publishTimeout();
        this.maxOutstandingBytes = pubsub.maxOutstandingBytes();
        int slots = config.maxConcurrentDecodes() > 0 ? config.maxConcurrentDecodes()
                : Runtime.getRuntime().availableProcessors();
        this.decodeSlots = new Semaphore(slots, true);
    }

    /** Whether auth is on and no usable token is configured (every request would get 401). */
    public boolean authMisconfigured() {
        return authEnabled && tokens.size() == 0;
    }

    /** @throws IngestRejection 401 unless the header carries a configured token (or auth is off) */
    public void authenticate(String authorization) {
        if (!authEnabled) {
            return;
        }
        if (authorization == null || authorization.isBlank()) {
            throw new IngestRejection(401, "missing_token", "an Authorization header with an ingest token is required");
        }
        String presented = AuthorizationHeader.token(authorization).orElse(null);
        if (presented == null || !tokens.verify(presented)) {
            throw new IngestRejection(401, "invalid_token", "the ingest token is not valid");
        }
    }

    /**
     * Runs the pipeline on the calling (worker) thread up to the publish, then completes when the bus
     * has confirmed every message. Failures complete the stage with an {@link IngestRejection}.
     *
     * <p>{@code fanout.ingest.publish-timeout} is a deadline for the whole request from this call on
     * (waiting for a decode slot included), so the sender always has its answer well within its own
     * request timeout.
     */
    public CompletionStage<Accepted> ingest(InputStream in, String contentEncoding, long contentLength,
            String requestId) {
        long deadline = System.nanoTime() + publishTimeout.toNanos();
        if (health.shuttingDown()) {
            throw unavailable("shutting_down", "the bridge is shutting down; retry against another instance");
        }
        ContentCoding.parse(contentEncoding);
        long outstanding = publisher.outstandingBytes();
        if (outstanding >= maxOutstandingBytes) {
            throw unavailable("backpressure", "the bus has " + outstanding + " unconfirmed bytes (limit "
                    + maxOutstandingBytes + "); retry later");
        }
        // The grant comes first: a request the budget cannot take is refused before one byte is read.
        // Content-Length only sizes the first reservation (capped at the limit); the buffer then
        // grows with what arrives, each step reserved before it is allocated.
        int initial = initialCapacity(contentLength);
        MemoryGrant grant = budget.grant((long) MemoryBudget.HEAP_PER_BODY_BYTE * initial);
        try {
            return ingest(in, contentLength, initial, grant, requestId, deadline);
        } catch (RuntimeException e) {
            grant.close();
            throw e;
        }
    }

    private CompletionStage<Accepted> ingest(InputStream in, long contentLength, int initial, MemoryGrant grant,
            String requestId, long deadline) {
        Instant receivedAt = Instant.now();
        Body body;
        try {
            body = reader.read(in, contentLength, initial,
                    capacity -> grant.ensure((long) MemoryBudget.HEAP_PER_BODY_BYTE * capacity));
        } catch (IOException e) {
            throw new UncheckedIOException("reading the request body failed", e);
        }
        acquireDecodeSlot(deadline);
        DecodeResult decoded;
        MessageEncoder.Encoded encoded;
        try {
            decoded = decoder.decode(body.bytes(), 0, body.length(), receivedAt);
            if (decoded.events().isEmpty()) {
                metrics.received(body.wireBytes(), body.length(), 0, 0);
                grant.close();
                return CompletableFuture.completedFuture(new Accepted(0, 0, requestId));
            }
            // An event too big for any message is kept as a stub rather than costing the whole body.
            // The body digest lets packed messages leave out the ids it derives (a quarter of their bytes).
            encoded = encoder.encodeKeepingOversize(decoded.events(), decoded.bodyDigest(), Traceparent.current());
        } finally {
            decodeSlots.release();
        }
        int malformed = decoded.malformed() + encoded.stubbed();
        metrics.received(body.wireBytes(), body.length(), decoded.events().size(), malformed);
        // Body and envelopes are garbage now; the messages stay in memory until the bus confirmed them.
        long messageBytes = 0;
        for (BusMessage m : encoded.messages()) {
            messageBytes += m.data().length;
        }
        grant.shrinkTo(messageBytes);
        return publishAll(encoded.messages(), decoded.events().size(), malformed, requestId, deadline, grant);
    }

    private int initialCapacity(long contentLength) {
        int max = reader.limits().maxDecompressedBytes();
        long declared = contentLength > 0 ? contentLength : DEFAULT_INITIAL_CAPACITY;
        return (int) Math.min(Math.max(declared, MIN_INITIAL_CAPACITY), max);
    }

    /** First reservation of a body without Content-Length. */
    private static final int DEFAULT_INITIAL_CAPACITY = 256 * 1024;
    private static final int MIN_INITIAL_CAPACITY = 4 * 1024;

    private void acquireDecodeSlot(long deadline) {
        boolean acquired;
        try {
            acquired = decodeSlots.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            acquired = false;
        }
        if (!acquired) {
            throw unavailable("overloaded", "no decoding capacity became free within the "
                    + publishTimeout.toMillis() + " ms request deadline; retry later");
        }
    }

    /**
     * Publishes every message; the grant is returned once every publish has settled (not at the
     * deadline: a message still in the publisher still takes memory).
     */
    private CompletionStage<Accepted> publishAll(List<BusMessage> messages, int events, int malformed, String requestId,
            long deadline, MemoryGrant grant) {
        long start = System.nanoTime();
        @SuppressWarnings("unchecked")
        CompletableFuture<String>[] futures = new CompletableFuture[messages.size()];
        for (int i = 0; i < futures.length; i++) {
            futures[i] = publishWaitingForRoom(messages.get(i), deadline);
        }
        CompletableFuture.allOf(futures).whenComplete((ignored, failure) -> grant.close());
        CompletableFuture<Void> all = CompletableFuture.allOf(futures)
                // At least 1 ms: a request that used up its deadline decoding still gets its answer
                // from the same path (and a message already confirmed by then still counts).
                .orTimeout(Math.max(1_000_000, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        return all.handle((ignored, failure) -> {
            if (failure == null) {
                metrics.published(Duration.ofNanos(System.nanoTime() - start));
                health.success();
                return new Accepted(events, malformed, requestId);
            }
            throw outcome(futures, failure, requestId);
        });
    }

    /**
     * One publish; while the bus refuses it for backpressure, waits for room (this request's own
     * earlier messages being confirmed, usually) and tries again until the deadline. A request
     * inside the limits therefore succeeds on an idle process even when its messages add up to more
     * than the bus's outstanding-bytes bound.
     */
    private CompletableFuture<String> publishWaitingForRoom(BusMessage message, long deadline) {
        long pauseNanos = TimeUnit.MILLISECONDS.toNanos(1);
        while (true) {
            CompletableFuture<String> f;
            try {
                f = publisher.publish(message);
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            if (!f.isCompletedExceptionally() || !(unwrap(f) instanceof EventPublisher.BackpressureException)) {
                return f;
            }
            long left = deadline - System.nanoTime();
            if (left <= pauseNanos) {
                return f;
            }
            LockSupport.parkNanos(pauseNanos);
            if (Thread.currentThread().isInterrupted()) {
                return f;
            }
            pauseNanos = Math.min(pauseNanos * 2, MAX_ROOM_WAIT_NANOS);
        }
    }

    /** Longest single pause while waiting for room on the bus. */
    private static final long MAX_ROOM_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private IngestRejection outcome(CompletableFuture<String>[] futures, Throwable failure, String requestId) {
        int failed = 0;
        int pending = 0;
        Throwable firstCause = null;
        for (CompletableFuture<String> f : futures) {
            if (!f.isDone()) {
                pending++;
            } else if (f.isCompletedExceptionally()) {
                failed++;
                if (firstCause == null) {
                    firstCause = unwrap(f);
                }
            }
        }
        int total = futures.length;
        if (firstCause instanceof EventPublisher.BackpressureException && pending == 0) {
            return unavailable("backpressure", "the bus refused " + failed + " of " + total
                    + " messages because too many bytes are unconfirmed; retry later");
        }
        Throwable root = unwrap(failure);
        String reason;
        IngestRejection r;
        if (root instanceof TimeoutException) {
            reason = "publish_timeout";
            r = unavailable(reason, "the bus did not confirm " + pending + " of " + total + " messages within the "
                    + publishTimeout.toMillis() + " ms request deadline" + (failed > 0 ? " and failed " + failed : "")
                    + "; nothing of this request is acknowledged, retry it");
        } else {
            reason = "publish_failed";
            r = unavailable(reason, "the bus failed " + failed + " of " + total + " messages ("
                    + describe(firstCause) + "); nothing of this request is acknowledged, retry it");
        }
        health.failure(reason);
        LOG.warnf("request %s: %s", requestId, r.getMessage());
        return r;
    }

    private static Throwable unwrap(CompletableFuture<String> f) {
        try {
            f.join();
            return null;
        } catch (CompletionException e) {
            return unwrap(e);
        } catch (RuntimeException e) {
            return e;
        }
    }

    private static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static String describe(Throwable t) {
        if (t == null) {
            return "unknown cause";
        }
        String m = t.getMessage();
        if (m != null && m.length() > 200) {
            m = m.substring(0, 200) + "…";
        }
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    static IngestRejection unavailable(String code, String message) {
        return new IngestRejection(503, code, message);
    }

    /** The 200 body. {@code accepted} counts every published envelope, malformed lines included. */
    public record Accepted(int accepted, int malformed, String requestId) {}
}
