package dev.fanout.pubsub;

import com.google.api.core.ApiFuture;
import com.google.api.core.ApiFutureCallback;
import com.google.api.core.ApiFutures;
import com.google.api.gax.batching.BatchingSettings;
import com.google.api.gax.batching.FlowControlSettings;
import com.google.api.gax.batching.FlowController;
import com.google.api.gax.retrying.RetrySettings;
import com.google.cloud.pubsub.v1.Publisher;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.UnsafeByteOperations;
import com.google.pubsub.v1.PubsubMessage;
import com.google.pubsub.v1.TopicName;
import dev.fanout.events.BusMessage;
import dev.fanout.events.PubSubLimits;
import dev.fanout.events.port.EventPublisher;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * {@link EventPublisher} on Google Cloud Pub/Sub with one long-lived {@link Publisher} for the topic.
 *
 * <p>Flow control uses {@code ThrowException}, not {@code Block}: the port promises never to block
 * the caller, and a full publisher should turn into a fast 503 that Cribl retries from its own
 * persistent queue rather than parked worker threads piling up behind a slow bus. The bridge rejects
 * upfront once {@link #outstandingBytes()} passes {@code fanout.pubsub.max-outstanding-bytes}; the
 * client's flow control (twice that) is only the hard backstop for requests racing past that check.
 */
public final class PubSubEventPublisher implements EventPublisher, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PubSubEventPublisher.class);

    /**
     * The client requires an element bound too; bytes are what matter here, so this only has to be
     * out of the way (64 MiB of ~500-byte event-mode messages is ~130k).
     */
    static final long MAX_OUTSTANDING_MESSAGES = 1_000_000;

    private final Publisher publisher;
    private final PubSubConnection connection;
    private final Duration shutdownTimeout;
    private final AtomicLong outstanding = new AtomicLong();
    private volatile boolean closed;

    private PubSubEventPublisher(Publisher publisher, PubSubConnection connection, Duration shutdownTimeout) {
        this.publisher = publisher;
        this.connection = connection;
        this.shutdownTimeout = shutdownTimeout;
    }

    /**
     * Builds the publisher of {@code fanout.pubsub.topic}. It takes over {@code connection}: closing
     * the publisher closes the connection.
     */
    public static PubSubEventPublisher create(PubSubConfig config, PubSubConnection connection) throws IOException {
        TopicName topic = TopicName.of(connection.projectId(), config.topic());
        Publisher.Builder b = connection.configure(Publisher.newBuilder(topic)
                .setBatchingSettings(batching(config))
                .setRetrySettings(retry(config))
                .setEnableCompression(config.grpcCompression()));
        return new PubSubEventPublisher(b.build(), connection, config.shutdownTimeout());
    }

    public static BatchingSettings batching(PubSubConfig config) {
        PubSubConfig.Batching batching = config.batching();
        if (batching.elementCount() < 1 || batching.elementCount() > PubSubLimits.MAX_MESSAGES_PER_REQUEST) {
            throw new IllegalArgumentException("fanout.pubsub.batching.element-count must be 1.."
                    + PubSubLimits.MAX_MESSAGES_PER_REQUEST + ", got " + batching.elementCount());
        }
        if (batching.requestBytes() < 1 || batching.requestBytes() > PubSubLimits.MAX_REQUEST_BYTES) {
            throw new IllegalArgumentException("fanout.pubsub.batching.request-bytes must be 1.."
                    + PubSubLimits.MAX_REQUEST_BYTES + ", got " + batching.requestBytes());
        }
        return BatchingSettings.newBuilder()
                .setElementCountThreshold(batching.elementCount())
                .setRequestByteThreshold(batching.requestBytes())
                .setDelayThresholdDuration(batching.delay())
                .setFlowControlSettings(FlowControlSettings.newBuilder()
                        .setMaxOutstandingRequestBytes(2 * config.maxOutstandingBytes())
                        .setMaxOutstandingElementCount(MAX_OUTSTANDING_MESSAGES)
                        .setLimitExceededBehavior(FlowController.LimitExceededBehavior.ThrowException)
                        .build())
                .build();
    }

    public static RetrySettings retry(PubSubConfig config) {
        PubSubConfig.Retry r = config.retry();
        return RetrySettings.newBuilder()
                .setTotalTimeoutDuration(r.totalTimeout())
                .setInitialRpcTimeoutDuration(r.rpcTimeout())
                .setMaxRpcTimeoutDuration(r.rpcTimeout())
                .setRpcTimeoutMultiplier(1.0)
                .setInitialRetryDelayDuration(r.initialDelay())
                .setRetryDelayMultiplier(2.0)
                .setMaxRetryDelayDuration(r.initialDelay().multipliedBy(8))
                .setMaxAttempts(r.maxAttempts())
                .build();
    }

    @Override
    public CompletableFuture<String> publish(BusMessage message) {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("publisher is shut down"));
        }
        PubsubMessage pm = PubsubMessage.newBuilder()
                // BusMessage data is never mutated after encoding; wrapping avoids a copy per message.
                .setData(UnsafeByteOperations.unsafeWrap(message.data()))
                .putAllAttributes(message.attributes())
                .build();
        long size = pm.getSerializedSize();
        outstanding.addAndGet(size);
        CompletableFuture<String> result = new CompletableFuture<>();
        ApiFuture<String> f;
        try {
            f = publisher.publish(pm);
        } catch (RuntimeException e) {
            outstanding.addAndGet(-size);
            result.completeExceptionally(translate(e));
            return result;
        }
        ApiFutures.addCallback(f, new ApiFutureCallback<>() {
            @Override
            public void onSuccess(String messageId) {
                outstanding.addAndGet(-size);
                result.complete(messageId);
            }

            @Override
            public void onFailure(Throwable t) {
                outstanding.addAndGet(-size);
                result.completeExceptionally(translate(t));
            }
        }, MoreExecutors.directExecutor());
        return result;
    }

    /** The client's flow-control refusal is backpressure in the port's terms. */
    private static Throwable translate(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof FlowController.FlowControlException) {
                return new BackpressureException("publisher flow control refused the message: " + c.getMessage());
            }
        }
        return t;
    }

    @Override
    public boolean healthy() {
        return !closed;
    }

    @Override
    public long outstandingBytes() {
        return outstanding.get();
    }

    /** Flushes what is batched, waits up to the shutdown timeout, then releases the channel. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        long pending = outstanding.get();
        publisher.shutdown();
        try {
            if (!publisher.awaitTermination(shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warnf("Pub/Sub publisher did not flush within %s; %d bytes were not confirmed "
                        + "(their requests were not acknowledged to the sender)", shutdownTimeout, outstanding.get());
            } else {
                LOG.infof("Pub/Sub publisher flushed (%d bytes were outstanding at shutdown)", pending);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            connection.close();
        }
    }
}
