package dev.fanout.consumer.pull;

import com.google.api.gax.batching.FlowControlSettings;
import com.google.api.gax.batching.FlowController;
import com.google.api.gax.core.InstantiatingExecutorProvider;
import com.google.cloud.pubsub.v1.AckReplyConsumer;
import com.google.cloud.pubsub.v1.MessageReceiver;
import com.google.cloud.pubsub.v1.Subscriber;
import com.google.protobuf.Timestamp;
import com.google.pubsub.v1.ProjectSubscriptionName;
import com.google.pubsub.v1.PubsubMessage;
import dev.fanout.consumer.Delivery;
import dev.fanout.consumer.SinkBatcher;
import dev.fanout.events.ReceivedMessage;
import dev.fanout.pubsub.PubSubConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * StreamingPull delivery for one sink: a real {@link Subscriber} whose receiver hands each message
 * to the sink's {@link SinkBatcher} and forwards the batcher's decision to {@code ack()} /
 * {@code nack()}. The receiver blocks while the batcher's queue is full, and the client's flow
 * control bounds what is outstanding, so a slow sink slows the pull instead of filling the heap.
 */
public final class PullSubscriber {

    private static final Logger LOG = Logger.getLogger(PullSubscriber.class);

    /**
     * @param maxOutstandingMessages flow control: unacked messages
     * @param maxOutstandingBytes    flow control: unacked bytes
     * @param parallelPullCount      StreamingPull streams
     * @param executorThreads        receiver threads
     * @param maxAckExtension        how long the client keeps extending ack deadlines
     */
    public record Settings(long maxOutstandingMessages, long maxOutstandingBytes, int parallelPullCount,
                           int executorThreads, Duration maxAckExtension) {}

    private final SinkBatcher batcher;
    private final ProjectSubscriptionName subscription;
    private final Subscriber subscriber;

    private PullSubscriber(SinkBatcher batcher, ProjectSubscriptionName subscription, Subscriber subscriber) {
        this.batcher = batcher;
        this.subscription = subscription;
        this.subscriber = subscriber;
    }

    /**
     * Builds and starts the subscriber.
     *
     * @param connection where Pub/Sub is (owned by the caller, closed after {@link #stop})
     */
    public static PullSubscriber start(SinkBatcher batcher, ProjectSubscriptionName subscription, Settings settings,
                                       PubSubConnection connection) {
        Objects.requireNonNull(batcher, "batcher");
        MessageReceiver receiver = (message, reply) -> receive(batcher, message, reply);
        Subscriber.Builder b = Subscriber.newBuilder(subscription, receiver)
                .setFlowControlSettings(FlowControlSettings.newBuilder()
                        .setMaxOutstandingElementCount(settings.maxOutstandingMessages())
                        .setMaxOutstandingRequestBytes(settings.maxOutstandingBytes())
                        .setLimitExceededBehavior(FlowController.LimitExceededBehavior.Block)
                        .build())
                .setParallelPullCount(settings.parallelPullCount())
                .setMaxAckExtensionPeriodDuration(settings.maxAckExtension())
                .setExecutorProvider(InstantiatingExecutorProvider.newBuilder()
                        .setExecutorThreadCount(settings.executorThreads()).build());
        Subscriber s = connection.configure(b).build();
        s.addListener(new Subscriber.Listener() {
            @Override
            public void failed(Subscriber.State from, Throwable failure) {
                LOG.errorf(failure, "pull subscriber of sink %s on %s failed (from %s)", batcher.sinkName(), subscription, from);
            }
        }, Runnable::run);
        s.startAsync().awaitRunning();
        LOG.infof("sink %s pulls from %s%s", batcher.sinkName(), subscription, connection.describe());
        return new PullSubscriber(batcher, subscription, s);
    }

    private static void receive(SinkBatcher batcher, PubsubMessage message, AckReplyConsumer reply) {
        Timestamp ts = message.hasPublishTime() ? message.getPublishTime() : null;
        Integer attempt = Subscriber.getDeliveryAttempt(message);
        ReceivedMessage rm = new ReceivedMessage(message.getMessageId(), message.getData().toByteArray(),
                message.getAttributesMap(), ts == null ? null : Instant.ofEpochSecond(ts.getSeconds(), ts.getNanos()),
                attempt == null ? 0 : attempt);
        Delivery d = Delivery.of(rm, reply::ack, reply::nack);
        try {
            batcher.submit(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // submit nacked it
        }
    }

    public ProjectSubscriptionName subscription() {
        return subscription;
    }

    public boolean running() {
        return subscriber.isRunning();
    }

    /**
     * Stops the stream; call after the batcher's shutdown so that its acks and nacks are sent
     * before the stream closes. Waits at most {@code timeout}.
     */
    public void stop(Duration timeout) {
        try {
            subscriber.stopAsync().awaitTerminated(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warnf("pull subscriber of sink %s did not stop within %s", batcher.sinkName(), timeout);
        } catch (IllegalStateException e) {
            LOG.debugf("pull subscriber of sink %s stopped in failed state: %s", batcher.sinkName(), e.getMessage());
        }
    }
}
