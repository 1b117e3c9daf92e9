package dev.fanout.ingest;

import dev.fanout.events.Attributes;
import dev.fanout.events.BusMessage;
import dev.fanout.events.Bytes;
import dev.fanout.events.Envelope;
import dev.fanout.events.EnvelopeCodec;
import dev.fanout.events.EventIds;
import dev.fanout.events.MessageTooLargeException;
import dev.fanout.events.PubSubLimits;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
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
    private final TokenVerifier replayTokens;
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
        this.replayTokens = new TokenVerifier(config.replayTokens().orElse(List.of()));
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
     * Authorises a request to {@code /v1/envelopes}, which chooses event ids and times: only a replay
     * token ({@code fanout.ingest.replay-tokens}) passes, whatever {@code fanout.ingest.auth.enabled}
     * says. An ingest token is told apart (403, not 401) so a misconfigured replay job says what is wrong;
     * both lists are checked in constant time.
     *
     * @throws IngestRejection 401 without a valid token, 403 for an ingest token or when no replay token is configured
     */
    public void authenticateReplay(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            throw new IngestRejection(401, "missing_token", "an Authorization header with a replay token is required");
        }
        String presented = AuthorizationHeader.token(authorization).orElse(null);
        if (presented != null && replayTokens.verify(presented)) {
            return;
        }
        if (replayTokens.size() == 0) {
            throw new IngestRejection(403, "replay_disabled", "this bridge accepts no replays: "
                    + "no replay token is configured (fanout.ingest.replay-tokens)");
        }
        if (presented != null && tokens.verify(presented)) {
            throw new IngestRejection(403, "replay_token_required", "an ingest token cannot post envelopes "
                    + "(they choose event ids); use a replay token (fanout.ingest.replay-tokens)");
        }
        throw new IngestRejection(401, "invalid_token", "the replay token is not valid");
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
        return run(in, contentEncoding, contentLength, requestId, this::decodeCribl);
    }

    /**
     * The replay path behind {@code /v1/envelopes}: the body is NDJSON of envelope v1, published as
     * given (ids, times, fields kept) with {@code replay=<runId>} on every message. A line that is not
     * a valid envelope is rejected and reported by its number; the others are kept. Same bounds,
     * memory budget, decode slots, deadline and publish path as {@link #ingest}.
     *
     * @throws IngestRejection 400 for a missing or invalid run id, and when no line is a valid envelope
     */
    public CompletionStage<Replayed> ingestEnvelopes(InputStream in, String contentEncoding, long contentLength,
            String requestId, String runId) {
        if (runId == null || runId.isBlank()) {
            throw new IngestRejection(400, "replay_header_required", "the " + REPLAY_HEADER
                    + " header (the replay run id) is required");
        }
        if (!RUN_ID.matcher(runId).matches()) {
            throw new IngestRejection(400, "invalid_replay_id", "the " + REPLAY_HEADER
                    + " header must be 1-64 characters of [A-Za-z0-9._:-]");
        }
        return run(in, contentEncoding, contentLength, requestId, (body, receivedAt, rid) -> decodeEnvelopes(body, runId, rid));
    }

    /** Header carrying the replay run id on {@code /v1/envelopes}. */
    public static final String REPLAY_HEADER = "Fanout-Replay";

    /** A replay run id: short and attribute-safe (the CLI's {@code --run-id} rule). */
    static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    /** Longest envelope id accepted on replay; bridge ids are {@value EventIds#ID_HEX_LENGTH} hex characters. */
    static final int MAX_ID_CHARS = 256;

    /** Line numbers listed in a replay answer; {@code rejected} still counts every one. */
    static final int MAX_REPORTED_LINES = 1000;

    /** What a body becomes: the messages to publish, and the answer once the bus confirmed all of them. */
    private record Prepared<T>(List<BusMessage> messages, T answer) {}

    /** Decodes and encodes one body; runs holding a decode slot. */
    @FunctionalInterface
    private interface Preparation<T> {
        Prepared<T> prepare(Body body, Instant receivedAt, String requestId);
    }

    private <T> CompletionStage<T> run(InputStream in, String contentEncoding, long contentLength, String requestId,
            Preparation<T> preparation) {
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
            return run(in, contentLength, initial, grant, requestId, deadline, preparation);
        } catch (RuntimeException e) {
            grant.close();
            throw e;
        }
    }

    private <T> CompletionStage<T> run(InputStream in, long contentLength, int initial, MemoryGrant grant,
            String requestId, long deadline, Preparation<T> preparation) {
        Instant receivedAt = Instant.now();
        Body body;
        try {
            body = reader.read(in, contentLength, initial,
                    capacity -> grant.ensure((long) MemoryBudget.HEAP_PER_BODY_BYTE * capacity));
        } catch (IOException e) {
            throw new UncheckedIOException("reading the request body failed", e);
        }
        acquireDecodeSlot(deadline);
        Prepared<T> prepared;
        try {
            prepared = preparation.prepare(body, receivedAt, requestId);
        } finally {
            decodeSlots.release();
        }
        if (prepared.messages().isEmpty()) {
            grant.close();
            return CompletableFuture.completedFuture(prepared.answer());
        }
        // Body and envelopes are garbage now; the messages stay in memory until the bus confirmed them.
        long messageBytes = 0;
        for (BusMessage m : prepared.messages()) {
            messageBytes += m.data().length;
        }
        grant.shrinkTo(messageBytes);
        return publishAll(prepared.messages(), requestId, deadline, grant).thenApply(ignored -> prepared.answer());
    }

    private Prepared<Accepted> decodeCribl(Body body, Instant receivedAt, String requestId) {
        DecodeResult decoded = decoder.decode(body.bytes(), 0, body.length(), receivedAt);
        if (decoded.events().isEmpty()) {
            metrics.received(body.wireBytes(), body.length(), 0, 0);
            return new Prepared<>(List.of(), new Accepted(0, 0, requestId));
        }
        // An event too big for any message is kept as a stub rather than costing the whole body.
        // The body digest lets packed messages leave out the ids it derives (a quarter of their bytes).
        MessageEncoder.Encoded encoded = encoder.encodeKeepingOversize(decoded.events(), decoded.bodyDigest(), Traceparent.current());
        int malformed = decoded.malformed() + encoded.stubbed();
        metrics.received(body.wireBytes(), body.length(), decoded.events().size(), malformed);
        return new Prepared<>(encoded.messages(), new Accepted(decoded.events().size(), malformed, requestId));
    }

    /**
     * One envelope per line, each read on its own so a bad line costs only itself. An envelope too big
     * for any message is rejected, not cut to a stub: a replay must publish events as archived, and
     * the archive still holds the original.
     */
    private Prepared<Replayed> decodeEnvelopes(Body body, String runId, String requestId) {
        byte[] b = body.bytes();
        int len = body.length();
        List<Envelope> events = new ArrayList<>();
        List<Integer> eventLines = new ArrayList<>();
        List<Integer> rejectedLines = new ArrayList<>();
        // Where each kept line is in the body (trimmed): it goes into its message as it came.
        int[] starts = new int[64];
        int[] ends = new int[64];
        boolean asTheyCame = true;
        // events[0, headers) were read for their header only: those copied while asTheyCame held.
        int headers = 0;
        int rejected = 0;
        String firstError = null;
        int line = 0;
        for (int start = 0; start < len; ) {
            int end = Bytes.indexOfNewline(b, start, len);
            if (end < 0) {
                end = len;
            }
            line++;
            String problem = null;
            if (!blank(b, start, end)) {
                try {
                    int from = start;
                    int to = end;
                    while (whitespace(b[from])) {
                        from++;
                    }
                    while (whitespace(b[to - 1])) {
                        to--;
                    }
                    // A line that goes into its message as it came needs only its header here: the
                    // sinks read the rest, and readHeader passes exactly the lines a full read
                    // does. Building the texts and fields tree was most of this path's CPU.
                    // A rejected line leaves the others as they came.
                    boolean copied = asTheyCame && standsAloneInAMessage(b, from, to);
                    Envelope e = checked(copied ? EnvelopeCodec.readHeader(b, from, to - from)
                            : EnvelopeCodec.readOne(b, start, end - start));
                    asTheyCame = copied;
                    if (copied) {
                        headers++;
                    }
                    int n = events.size();
                    if (n == starts.length) {
                        starts = Arrays.copyOf(starts, n * 2);
                        ends = Arrays.copyOf(ends, n * 2);
                    }
                    starts[n] = from;
                    ends[n] = to;
                    events.add(e);
                    eventLines.add(line);
                } catch (IOException | RuntimeException bad) {
                    problem = bad.getMessage() == null ? bad.getClass().getSimpleName() : bad.getMessage();
                }
            }
            if (problem != null) {
                rejected++;
                if (rejectedLines.size() < MAX_REPORTED_LINES) {
                    rejectedLines.add(line);
                }
                if (firstError == null) {
                    firstError = "line " + line + ": " + abbreviate(problem);
                }
            }
            start = end + 1;
        }
        String tp = Traceparent.current();
        List<BusMessage> messages;
        try {
            // Writing each envelope again was half of this path's CPU; a line that parsed alone as
            // the envelope decodes the same inside a message, so it is copied instead.
            if (asTheyCame) {
                messages = encoder.encodeLines(events, b, starts, ends, tp);
            } else {
                events = fullEnvelopes(events, headers, b, starts, ends);
                headers = 0;
                messages = encoder.encode(events, tp);
            }
        } catch (MessageTooLargeException tooLarge) {
            // Rare: find the events no message can hold, encode the others together.
            events = fullEnvelopes(events, headers, b, starts, ends);
            List<Envelope> fit = new ArrayList<>(events.size());
            List<Integer> kept = new ArrayList<>(events.size());
            for (int i = 0; i < events.size(); i++) {
                try {
                    encoder.encode(List.of(events.get(i)), tp);
                    fit.add(events.get(i));
                    kept.add(eventLines.get(i));
                } catch (MessageTooLargeException one) {
                    rejected++;
                    if (rejectedLines.size() < MAX_REPORTED_LINES) {
                        rejectedLines.add(eventLines.get(i));
                    }
                    if (firstError == null) {
                        firstError = "line " + eventLines.get(i) + ": " + abbreviate(one.getMessage());
                    }
                }
            }
            rejectedLines.sort(null);
            events = fit;
            messages = encoder.encode(fit, tp);
        }
        metrics.replayed(body.wireBytes(), body.length(), events.size(), rejected);
        if (events.isEmpty() && rejected > 0) {
            throw new IngestRejection(400, "no_valid_envelopes", "none of the " + rejected
                    + " non-blank lines is an envelope v1 that fits a message (first: " + firstError
                    + "); nothing of this request was published");
        }
        return new Prepared<>(markReplay(messages, runId),
                new Replayed(events.size(), rejected, List.copyOf(rejectedLines), firstError, requestId));
    }

    /**
     * The envelopes in full when the first {@code headers} were read for their header only
     * ({@link EnvelopeCodec#readHeader}) and the body is written again after all: those are read
     * again from the same trimmed lines (which passed the header read, so they pass the full one).
     */
    private static List<Envelope> fullEnvelopes(List<Envelope> events, int headers, byte[] b, int[] starts, int[] ends) {
        List<Envelope> out = new ArrayList<>(events);
        for (int i = 0; i < headers; i++) {
            try {
                out.set(i, EnvelopeCodec.readOne(b, starts[i], ends[i] - starts[i]));
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException("kept line " + (i + 1) + " passed the header read but not the full read: "
                        + e.getMessage(), e);
            }
        }
        return out;
    }

    /** The replay endpoint's own rules on top of the envelope's. */
    private static Envelope checked(Envelope e) throws IOException {
        if (e.schema() != Envelope.SCHEMA_V1) {
            throw new IOException("envelope " + abbreviate(e.id()) + " has schema " + e.schema() + "; this bridge publishes schema "
                    + Envelope.SCHEMA_V1);
        }
        if (e.id().isBlank() || e.id().length() > MAX_ID_CHARS) {
            throw new IOException("envelope id must be 1-" + MAX_ID_CHARS + " characters");
        }
        return e;
    }

    private static boolean whitespace(byte c) {
        return c == ' ' || c == '\t' || c == '\r';
    }

    /**
     * Whether a line that parsed alone as one envelope parses the same after other lines of a
     * message: it is a bare object (so no byte-order mark), and its first bytes hold no zero byte,
     * which alone would have made the parser read the line as UTF-16 or UTF-32 (inside a message
     * it is UTF-8, where a zero byte is invalid).
     */
    private static boolean standsAloneInAMessage(byte[] b, int from, int to) {
        if (b[from] != '{' || b[to - 1] != '}') {
            return false;
        }
        for (int i = from; i < Math.min(to, from + 4); i++) {
            if (b[i] == 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean blank(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            byte c = b[i];
            if (c != ' ' && c != '\t' && c != '\r') {
                return false;
            }
        }
        return true;
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }

    /** Adds the replay marker; the encoder keeps {@link PubSubLimits#FRAMING_HEADROOM_BYTES} free, the marker is < 80 bytes. */
    private static List<BusMessage> markReplay(List<BusMessage> messages, String runId) {
        List<BusMessage> out = new ArrayList<>(messages.size());
        for (BusMessage m : messages) {
            Map<String, String> a = new HashMap<>(m.attributes());
            a.put(Attributes.REPLAY, runId);
            out.add(new BusMessage(m.data(), a, m.eventCount(), m.eventIds()));
        }
        return out;
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
    private CompletionStage<Void> publishAll(List<BusMessage> messages, String requestId, long deadline, MemoryGrant grant) {
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
                return null;
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

    /**
     * The 200 body of {@code /v1/envelopes}.
     *
     * @param rejectedLines 1-based line numbers of the rejected lines (at most {@value #MAX_REPORTED_LINES})
     * @param firstError    why the first rejected line was rejected; null when none was
     */
    public record Replayed(int accepted, int rejected, List<Integer> rejectedLines, String firstError, String requestId) {}
}
