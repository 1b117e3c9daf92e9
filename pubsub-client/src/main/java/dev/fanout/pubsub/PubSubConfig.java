package dev.fanout.pubsub;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * The one Pub/Sub mapping of every app: where Pub/Sub is ({@link PubSubConnection}) and how the
 * bridge's publisher behaves. Consumers read only the connection keys.
 */
@ConfigMapping(prefix = "fanout.pubsub")
public interface PubSubConfig {

    /**
     * Google Cloud project of the topic and subscriptions. Default: none, then the client library's default project
     * ({@code GOOGLE_CLOUD_PROJECT} or the metadata server); startup fails if none is found.
     */
    Optional<String> projectId();

    /** Topic id (not the full name). Default {@code claude-events}. */
    @WithDefault("claude-events")
    String topic();

    /**
     * {@code host:port} of a Pub/Sub emulator or the loopback fake (local-only). When set, the
     * publisher uses a plaintext channel and no credentials. Default: none (real Pub/Sub).
     */
    Optional<String> emulatorHost();

    /**
     * Bound on message bytes handed to the publisher and not yet acknowledged; while it is exceeded,
     * new requests are rejected upfront with 503. The publisher's own flow control is set to twice
     * this as a hard backstop. Default 67108864 (64 MiB).
     */
    @WithDefault("67108864")
    long maxOutstandingBytes();

    /** Client-side batching of publish requests. */
    Batching batching();

    /** Retries of one publish RPC. */
    Retry retry();

    /**
     * Whether to gzip publish requests on the gRPC channel. Default false: packed messages are already
     * gzip, so this mostly burns CPU; worth it in {@code event} packing mode.
     */
    @WithDefault("false")
    boolean grpcCompression();

    /** How long shutdown waits for the publisher to flush outstanding messages. Default 3s. */
    @WithDefault("3s")
    Duration shutdownTimeout();

    interface Batching {
        /** Messages per publish request. Default 1000 (Pub/Sub's per-request maximum). */
        @WithDefault("1000")
        long elementCount();

        /** Bytes per publish request. Default 9500000 (headroom below Pub/Sub's 10,000,000). */
        @WithDefault("9500000")
        long requestBytes();

        /** How long a message may wait for more to share its request. Default 5ms. */
        @WithDefault("5ms")
        Duration delay();
    }

    interface Retry {
        /**
         * Total time the client may spend on one publish including retries. Default 10s, the
         * smallest the Java client accepts; {@code max-attempts} × {@code rpc-timeout} keeps the real
         * bound below {@code fanout.ingest.publish-timeout}.
         */
        @WithDefault("10s")
        Duration totalTimeout();

        /** Timeout of each publish RPC attempt. Default 3s. */
        @WithDefault("3s")
        Duration rpcTimeout();

        /** Attempts per publish, first included. Default 3. */
        @WithDefault("3")
        int maxAttempts();

        /** Delay before the first retry; doubles per retry. Default 100ms. */
        @WithDefault("100ms")
        Duration initialDelay();
    }
}
