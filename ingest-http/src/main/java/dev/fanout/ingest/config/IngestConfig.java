package dev.fanout.ingest.config;

import dev.fanout.events.PackingMode;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** HTTP side of the ingest bridge: auth, body bounds, acknowledgement, message packing. */
@ConfigMapping(prefix = "fanout.ingest")
public interface IngestConfig {

    /**
     * Accepted ingest tokens (secret). Env {@code FANOUT_INGEST_TOKENS}, comma-separated; several
     * tokens are accepted at once so a token can be rotated without downtime. Default: none (the prod
     * profile refuses to start with auth enabled and no token).
     */
    Optional<List<String>> tokens();

    /**
     * Tokens that may post already-enveloped events to {@code /v1/envelopes} (secret): the replay
     * tool's, since such a request chooses event ids and times. Env {@code FANOUT_INGEST_REPLAY_TOKENS},
     * comma-separated. A separate list on purpose: an ingest token is never accepted there (403), and
     * {@code fanout.ingest.auth.enabled=false} does not open it. Default: none, so the endpoint answers
     * 403 {@code replay_disabled} to everyone.
     */
    Optional<List<String>> replayTokens();

    /** Authentication switches. */
    Auth auth();

    /**
     * Largest request body accepted on the wire, before decompression, in bytes. Default 10485760
     * (10 MiB; Cloud Run's HTTP/1 limit is 32 MiB, Cribl's default body limit 4 MB). Larger bodies
     * get 413. Keep {@code quarkus.http.limits.max-body-size} above it so the bridge's own check answers.
     */
    @WithDefault("10485760")
    long maxRequestBytes();

    /**
     * Largest body after gzip decompression (and largest plain body), in bytes. Default 10485760
     * (10 MiB): a body needs {@code MemoryBudget.HEAP_PER_BODY_BYTE} (6) × this of memory budget, and
     * startup refuses a limit the budget could never grant. Larger bodies get 413. This absolute bound
     * is also the zip-bomb guard (there is no ratio guard: real repetitive logs compress 255:1).
     */
    @WithDefault("10485760")
    long maxDecompressedBytes();

    /** The heap budget of request bodies. */
    Memory memory();

    /**
     * Deadline of a request from the moment its body starts being read: if Pub/Sub has not
     * acknowledged every message by then (decode queueing included), the answer is 503. Default 10s,
     * well below Cribl's 30 s request timeout.
     */
    @WithDefault("10s")
    Duration publishTimeout();

    /** Value of the {@code Retry-After} header on every 503, rounded up to whole seconds. Default 5s. */
    @WithDefault("5s")
    Duration retryAfter();

    /**
     * Which bus adapter this app publishes to when no other module provides an {@code EventPublisher}
     * bean: {@code pubsub} (default) or {@code blackhole} (drops everything; benchmarks only).
     */
    @WithDefault("pubsub")
    String publisher();

    /**
     * JSON pointer to the event array inside a Cribl Custom-format wrapper, e.g. {@code /items}.
     * Default: none (only NDJSON, JSON arrays and single objects are recognised).
     */
    Optional<String> wrapperPointer();

    /**
     * Requests decoded and packed at the same time; more wait (within their {@code publish-timeout}
     * deadline, then 503). Decoding is CPU-bound and its envelopes dominate the heap, so running more at once than
     * there are cores only raises memory and GC. Default 0 = the number of available processors.
     */
    @WithDefault("0")
    int maxConcurrentDecodes();

    /** How envelopes are mapped to bus messages. */
    Packing packing();

    /** Readiness. */
    Readiness readiness();

    interface Memory {
        /**
         * Bytes of heap that request bodies, their envelopes and their unconfirmed bus messages may
         * use together; a request that would go over it gets 503 {@code memory_budget} before its body
         * (or the rest of it) is read. Default 0 = 60% of the maximum heap ({@code -Xmx}): ~74 MB at
         * the deployed {@code -Xmx128m}.
         */
        @WithDefault("0")
        long budgetBytes();
    }

    interface Auth {
        /**
         * Whether {@code /v1/events} requires a token. Default true; disabling it is meant for local
         * runs only.
         */
        @WithDefault("true")
        boolean enabled();
    }

    interface Packing {
        /**
         * {@code packed} (default): many envelopes per message as gzip NDJSON, cheapest on Pub/Sub's
         * per-byte billing; {@code event}: one envelope JSON per message, filterable per event.
         */
        @WithDefault("packed")
        PackingMode mode();

        /** Uncompressed bytes of envelopes per packed message. Default: the common-events default (4 MiB). */
        Optional<Integer> maxUncompressedBytes();

        /** Envelopes per packed message. Default: the common-events default (5000). */
        Optional<Integer> maxEvents();

        /** gzip level 0–9 of packed messages. Default: the common-events default, 2 (zlib's fast deflate; ≥ 4 is ~2× the CPU). */
        Optional<Integer> gzipLevel();
    }

    interface Readiness {
        /**
         * Consecutive failed requests (publish error or timeout) after which readiness reports DOWN;
         * the next successful publish brings it back UP. Default 3.
         */
        @WithDefault("3")
        int failureThreshold();
    }
}
