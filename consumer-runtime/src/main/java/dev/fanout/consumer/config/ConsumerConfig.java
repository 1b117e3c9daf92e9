package dev.fanout.consumer.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The consumer runtime shared by every sink: how messages arrive, how they are batched and how
 * writes are retried. Per-sink batch overrides live under {@code fanout.consumer.sinks."<sink>".*}.
 */
@ConfigMapping(prefix = "fanout.consumer")
public interface ConsumerConfig {

    /** How messages arrive (public). */
    enum Mode {
        /** Pub/Sub push subscription POSTs to {@code /v1/push/{sink}} (Cloud Run: scales to zero). */
        PUSH,
        /** StreamingPull {@code Subscriber} per sink on {@code fanout.consumer.subscription}. */
        PULL,
        /** In-process bus of the one-process local pipeline (the durable journal by default). */
        LOCAL
    }

    /** Delivery mode: {@code push}, {@code pull} or {@code local}. Default {@code push}. */
    @WithDefault("push")
    Mode mode();

    /**
     * Pull mode: subscription id (not the full name) of the app's only sink; for an app with
     * several sinks set {@code fanout.consumer.sinks."<sink>".subscription} instead. Default none
     * (required in pull mode).
     */
    Optional<String> subscription();

    /** Default batch limits of every sink. */
    Batch batch();

    /** Per-sink overrides, keyed by {@code EventSink.name()}, e.g. {@code fanout.consumer.sinks."archive".max-age=60s}. */
    Map<String, SinkOverrides> sinks();

    /** Retries of one sink write (and of the dead-letter write after it); per-sink overrides under {@code sinks."<sink>".retry}. */
    Retry retry();

    /** Push delivery. */
    Push push();

    /** Pull delivery. */
    Pull pull();

    /** The in-process bus (local mode). */
    Local local();

    /** How long a readiness result of {@code EventSink.checkReady()} is reused. Default 5s. */
    @WithDefault("5s")
    Duration readinessCacheTtl();

    /**
     * Bound on the shutdown flush of every sink together (writes of what was accepted, then acks).
     * Keep it below the platform's grace period (Cloud Run: 10 s after SIGTERM). Default 8s.
     */
    @WithDefault("8s")
    Duration shutdownTimeout();

    interface Batch {
        /** Envelopes per sink write (a single larger message still forms one batch). Default 1000. */
        @WithDefault("1000")
        int maxEvents();

        /**
         * Decoded envelope JSON bytes per sink write (a packed message counts its inflated size).
         * Default 8388608 (8 MiB).
         */
        @WithDefault("8388608")
        long maxBytes();

        /**
         * How long the oldest message of a batch waits for company before the batch is written.
         * In push mode it must leave room for the write within {@code fanout.consumer.push.max-wait}.
         * Default 2s.
         */
        @WithDefault("2s")
        Duration maxAge();

        /**
         * Messages accepted but not yet taken into a batch, per sink. When full, a push is answered
         * 503 and a pull/local delivery waits. Default 2000.
         */
        @WithDefault("2000")
        int queueMessages();

        /**
         * Decoded envelope JSON bytes accepted (or being decoded, counted at an estimate of 10x the
         * gzip size) but not yet taken into a batch, per sink. A message is admitted on this bound
         * before it is decoded; when full, a push is answered 503 and a pull/local delivery waits.
         * On the heap, decoded envelopes take about 2-3x their JSON size. Default 33554432 (32 MiB).
         */
        @WithDefault("33554432")
        long queueBytes();

        /** Writer threads per sink: how many writes of one sink may run at once. Default 1. */
        @WithDefault("1")
        int writers();

        /**
         * Deadline of one sink write (passed to the sink, which must return by then). Batch max-age +
         * retry max-total + this must stay below the bus's ack deadline; startup checks it. Default 60s.
         */
        @WithDefault("60s")
        Duration writeTimeout();
    }

    interface SinkOverrides {
        /** Overrides {@code fanout.consumer.batch.max-events} for this sink. */
        Optional<Integer> maxEvents();

        /** Overrides {@code fanout.consumer.batch.max-bytes} for this sink (bytes). */
        Optional<Long> maxBytes();

        /** Overrides {@code fanout.consumer.batch.max-age} for this sink. */
        Optional<Duration> maxAge();

        /** Overrides {@code fanout.consumer.batch.queue-messages} for this sink. */
        Optional<Integer> queueMessages();

        /** Overrides {@code fanout.consumer.batch.queue-bytes} for this sink (bytes). */
        Optional<Long> queueBytes();

        /** Overrides {@code fanout.consumer.batch.writers} for this sink. */
        Optional<Integer> writers();

        /** Overrides {@code fanout.consumer.batch.write-timeout} for this sink. */
        Optional<Duration> writeTimeout();

        /** Overrides of {@code fanout.consumer.retry.*} for this sink. */
        RetryOverrides retry();

        /** Pull mode: subscription id of this sink. Default {@code fanout.consumer.subscription} (single-sink apps only). */
        Optional<String> subscription();
    }

    interface RetryOverrides {
        /** Overrides {@code fanout.consumer.retry.initial-backoff} for this sink. */
        Optional<Duration> initialBackoff();

        /** Overrides {@code fanout.consumer.retry.max-backoff} for this sink. */
        Optional<Duration> maxBackoff();

        /** Overrides {@code fanout.consumer.retry.max-attempts} for this sink. */
        Optional<Integer> maxAttempts();

        /** Overrides {@code fanout.consumer.retry.max-total} for this sink. */
        Optional<Duration> maxTotal();
    }

    interface Retry {
        /** Upper bound of the first retry delay (full jitter in [bound/2, bound]); doubles per retry. Default 200ms. */
        @WithDefault("200ms")
        Duration initialBackoff();

        /** Cap of the retry delay bound. Default 5s. */
        @WithDefault("5s")
        Duration maxBackoff();

        /** Attempts per write including the first. Default 5. */
        @WithDefault("5")
        int maxAttempts();

        /**
         * No retry starts later than this after the first attempt of a batch. Batch max-age + this +
         * one write's timeout must stay below the ack deadline (startup checks it). Default 20s.
         */
        @WithDefault("20s")
        Duration maxTotal();
    }

    interface Push {
        /**
         * The push subscription's ack deadline, which is also how long Pub/Sub waits for the HTTP
         * answer (Terraform sets both from {@code ack_deadline_seconds}). Startup refuses a batch
         * max-age + retry max-total + write timeout that does not fit below it. Default 600s (as deployed).
         */
        @WithDefault("600s")
        Duration ackDeadline();

        /**
         * How long a push request is held open waiting for the write of the batch that contains it;
         * then 503 and Pub/Sub redelivers. Default: the ack deadline minus 10 s, so the answer
         * always arrives before Pub/Sub gives up.
         */
        Optional<Duration> maxWait();

        /** OIDC verification of Pub/Sub push requests. */
        Oidc oidc();
    }

    interface Oidc {
        /**
         * Whether push requests must carry a valid Google-signed OIDC token. Default true
         * ({@code false} in the dev and test profiles); when true, {@code audience} and
         * {@code service-account-email} are required. In the prod profile, false refuses to start
         * unless {@code fanout.unsafe.push-oidc-off=true}.
         */
        @WithDefault("true")
        boolean enabled();

        /**
         * Expected {@code aud} claim: the audience set on the push subscription (e.g. the push URL
         * {@code https://<service>/v1/push}). Required when enabled; never taken from the request.
         */
        Optional<String> audience();

        /** Expected {@code email} claim: the push subscription's service account. Required when enabled. */
        Optional<String> serviceAccountEmail();

        /** JWKS document with Google's signing keys (cached; refetched at most every {@code jwks-min-refresh} on an unknown key). */
        @WithDefault("https://www.googleapis.com/oauth2/v3/certs")
        String jwksUrl();

        /** Accepted {@code iss} values. Default {@code https://accounts.google.com,accounts.google.com}. */
        @WithDefault("https://accounts.google.com,accounts.google.com")
        List<String> issuers();

        /** Minimum time between JWKS refetches forced by an unknown key id or a failed fetch. Default 30s. */
        @WithDefault("30s")
        Duration jwksMinRefresh();
    }

    interface Pull {
        /** Flow control: unacked messages per subscriber. Default 1000 (the client's default). */
        @WithDefault("1000")
        long maxOutstandingMessages();

        /**
         * Flow control: unacked message bytes (as received, i.e. compressed) per subscriber. The
         * client holds these on the heap besides the batcher's queue, so it is kept well below the
         * client's default of 100 MiB. Default 16777216 (16 MiB).
         */
        @WithDefault("16777216")
        long maxOutstandingBytes();

        /** StreamingPull streams per subscriber (each ≈ 10 MB/s). Default 1. */
        @WithDefault("1")
        int parallelPullCount();

        /** Threads that run the message receiver (decode + enqueue) per subscriber. Default 2. */
        @WithDefault("2")
        int executorThreads();

        /**
         * How long the client keeps extending a message's ack deadline while it waits for its batch;
         * batch max-age + retry max-total + write timeout must fit below it. Default 10m.
         */
        @WithDefault("10m")
        Duration maxAckExtension();

        /** First delay before a failed subscriber is started again; doubles per failure. Default 1s. */
        @WithDefault("1s")
        Duration restartInitialBackoff();

        /** Cap of the restart delay. Default 60s. */
        @WithDefault("60s")
        Duration restartMaxBackoff();
    }

    interface Local {
        /** Which bus local mode uses (local-only). */
        enum Bus {
            /** The on-disk journal (module local-journal): accepted events survive SIGTERM, kill -9 and sink outages. */
            DURABLE,
            /** In memory: what the sinks have not acked is lost with the process (tests). */
            MEMORY
        }

        /** {@code durable} (default): the on-disk journal; {@code memory}: the in-memory bus, lost with the process. */
        @WithDefault("durable")
        Bus bus();

        /** The durable bus's journal (used when {@code bus=durable}). */
        Journal journal();

        /**
         * Memory bus only: bytes of messages not yet acked by every sink; beyond it publishing fails
         * and ingest answers 503. (The durable bus is bounded by {@code journal.max-disk-bytes}.)
         * Default 67108864 (64 MiB).
         */
        @WithDefault("67108864")
        long maxOutstandingBytes();

        /**
         * Least number of unsettled deliveries per sink subscription. It is raised to what the sink's
         * batch needs ({@code batch.max-events + batch.queue-messages + dispatch-threads}, bytes
         * likewise from {@code max-bytes + queue-bytes}): with a smaller bound a batch could never
         * fill and would always wait its full max-age. Default 1000.
         */
        @WithDefault("1000")
        int maxOutstandingMessages();

        /** A delivery neither acked nor nacked within this is redelivered. Default 120s. */
        @WithDefault("120s")
        Duration ackDeadline();

        /** Delay before the first redelivery after a nack; doubles per attempt. Default 100ms. */
        @WithDefault("100ms")
        Duration minRedeliveryDelay();

        /** Cap of the redelivery delay. Default 10s. */
        @WithDefault("10s")
        Duration maxRedeliveryDelay();

        /**
         * Threads per sink subscription that hand messages to the sink's batcher; messages are
         * decoded on them, so two let decoding overlap. Default 2.
         */
        @WithDefault("2")
        int dispatchThreads();

        /**
         * On shutdown, after intake stopped: how long the bus keeps handing messages to the sinks
         * before their batchers flush (bounded by what is left of {@code shutdown-timeout}). What a
         * durable bus has not handed over stays in the journal for the next start. Default 5s.
         */
        @WithDefault("5s")
        Duration drainTimeout();
    }

    interface Journal {
        /**
         * Directory of the journal (segments/, subscriptions/, journal.lock); one process at a time.
         * Required with {@code bus=durable} (the local pipeline sets {@code $FANOUT_DATA_DIR/journal}).
         */
        Optional<String> dir();

        /**
         * When accepted messages are forced to disk: {@code always} (default; before the 200,
         * concurrent requests share one fsync), {@code interval} (within {@code fsync-interval}; a
         * power cut loses at most that), {@code never} (survives kill -9, not a power cut; needs
         * {@code unsafe-allow-fsync-never=true}).
         */
        @WithDefault("always")
        dev.fanout.journal.FsyncPolicy fsync();

        /** {@code fsync=interval}: longest time an accepted message stays unforced. Default 100ms. */
        @WithDefault("100ms")
        Duration fsyncInterval();

        /** Must be true to run with {@code fsync=never} (a power cut may lose accepted events). Default false. */
        @WithDefault("false")
        boolean unsafeAllowFsyncNever();

        /**
         * Bound of the journal's segment files (bytes): what the sinks have not acked yet, plus the
         * acked rest of segments not yet deleted. A publish beyond it is answered 503 + Retry-After.
         * Must exceed the largest message. Default 1073741824 (1 GiB).
         */
        @WithDefault("1073741824")
        long maxDiskBytes();

        /** Size of one segment file (bytes, at least 4096); whole segments are deleted once every sink acked them. Default 67108864 (64 MiB). */
        @WithDefault("67108864")
        long segmentBytes();

        /**
         * How often each sink's acknowledged position is written to disk; after a crash at most the
         * acks of the last interval are delivered again (sinks are idempotent by event id). Default 1s.
         */
        @WithDefault("1s")
        Duration checkpointInterval();

        /** Where a sink the journal has never seen starts: {@code oldest} (default) retained message or {@code latest}. */
        @WithDefault("oldest")
        dev.fanout.journal.StartPosition newSubscriptionStart();
    }
}
