package dev.fanout.store;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.Secret;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * Archive sink settings ({@code fanout.archive.*}). Batch flush thresholds (count, bytes, age)
 * are not here: the consumer runtime batches per sink and owns those keys.
 */
@ConfigMapping(prefix = "fanout.archive")
public interface ArchiveConfig {

    /**
     * Where objects go: {@code s3} (Cloudflare R2 or any S3 API) or {@code fs} (a local directory).
     * Default {@code fs}; the archive-sink service sets {@code s3} in its prod profile, because a
     * container's disk is not durable.
     */
    @WithDefault("fs")
    Backend backend();

    /** Key prefix of event objects, without a trailing slash. Default {@code events}. */
    @WithDefault("events")
    String prefix();

    /**
     * Key prefix of the consumer runtime's dead-letter store (records a sink rejected, undecodable
     * messages) in the same store; must differ from {@link #prefix()}. Default {@code dead-letter}.
     */
    @WithDefault(DeadLetterLayout.DEFAULT_PREFIX)
    String deadLetterPrefix();

    /**
     * Whether the archive sink leaves out events replayed from an archive (messages carrying the
     * replay marker {@code replay=<run id>}): they are in the archive already, and archiving them
     * again would only add second copies under new object keys. A dead-letter redrive (marker
     * starting with {@code redrive}, which {@code fanout dead-letters redrive} always uses) is
     * archived regardless: those events never reached the archive. Set false for an archive that
     * is filled by replaying another one (a new bucket, a second pipeline). Default true.
     */
    @WithDefault("true")
    boolean skipReplays();

    /** gzip compression level of event objects, 1 (fastest) to 9 (smallest). Default 6. */
    @WithDefault("6")
    int gzipLevel();

    /** Local directory backend. */
    Fs fs();

    /** S3-API backend (R2). */
    S3 s3();

    enum Backend {
        s3,
        fs
    }

    interface Fs {
        /** Root directory of the archive. Default {@code ${FANOUT_DATA_DIR:./data}/archive}. */
        @WithDefault("${FANOUT_DATA_DIR:./data}/archive")
        String dir();
    }

    interface S3 {
        /**
         * S3 API endpoint, e.g. {@code https://<ACCOUNT_ID>.r2.cloudflarestorage.com}. No default;
         * required when {@code backend=s3}.
         */
        Optional<URI> endpoint();

        /** Bucket name. No default; required when {@code backend=s3}. */
        Optional<String> bucket();

        /** Signing region; R2 expects {@code auto}. Default {@code auto}. */
        @WithDefault("auto")
        String region();

        /** Access key id (secret: env {@code FANOUT_ARCHIVE_S3_ACCESS_KEY_ID}). Required when {@code backend=s3}. */
        Optional<Secret<String>> accessKeyId();

        /** Secret access key (secret: env {@code FANOUT_ARCHIVE_S3_SECRET_ACCESS_KEY}). Required when {@code backend=s3}. */
        Optional<Secret<String>> secretAccessKey();

        /** Path-style URLs ({@code https://host/bucket/key}); R2 needs them for its account endpoint. Default {@code true}. */
        @WithDefault("true")
        boolean pathStyle();

        /** TCP connect timeout (also the wait for a pooled connection). Default {@code 5s}. */
        @WithDefault("5s")
        Duration connectTimeout();

        /** Maximum inactivity while waiting for response bytes. Default {@code 30s}. */
        @WithDefault("30s")
        Duration socketTimeout();

        /** Bound on one HTTP attempt, upload included. Default {@code 60s}. */
        @WithDefault("60s")
        Duration apiCallAttemptTimeout();

        /** Bound on one store call including SDK retries; keep below the push ack deadline. Default {@code 120s}. */
        @WithDefault("120s")
        Duration apiCallTimeout();

        /**
         * SDK attempts per call (1 = no SDK retry). Small on purpose: backoff is the consumer
         * runtime's job. Default {@code 2}.
         */
        @WithDefault("2")
        int maxAttempts();

        /** HTTP connection pool size. Default {@code 16}. */
        @WithDefault("16")
        int maxConnections();
    }
}
