package dev.fanout.consumer.pull;

import com.google.api.gax.batching.FlowControlSettings;
import com.google.api.gax.batching.FlowController;
import com.google.api.gax.core.InstantiatingExecutorProvider;
import com.google.cloud.pubsub.v1.AckReplyConsumer;
import com.google.cloud.pubsub.v1.MessageReceiver;
import com.google.cloud.pubsub.v1.Subscriber;
import com.google.cloud.pubsub.v1.SubscriberShutdownSettings;
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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * StreamingPull delivery for one sink: a real {@link Subscriber} whose receiver hands each message
 * to the sink's {@link SinkBatcher} and forwards the batcher's decision to {@code ack()} /
 * {@code nack()}. The receiver blocks while the batcher's queue is full, and the client's flow
 * control bounds what is outstanding, so a slow sink slows the pull instead of filling the heap.
 *
 * <p>A subscriber that fails (e.g. the subscription is missing, permissions, a non-retryable
 * stream error) is started again after a backoff that doubles up to a cap; until it runs again
 * {@link #problem()} says why, and readiness reports it. On shutdown the batcher's intake stops
 * first, so what the stream still delivers is held (left to the subscription, never nacked).
 */
public final class PullSubscriber {

    private static final Logger LOG = Logger.getLogger(PullSubscriber.class);

    /**
     * @param maxOutstandingMessages flow control: unacked messages
     * @param maxOutstandingBytes    flow control: unacked bytes
     * @param parallelPullCount      StreamingPull streams
     * @param executorThreads        receiver threads
     * @param maxAckExtension        how long the client keeps extending ack deadlines
     * @param restartInitialBackoff  first delay before a failed subscriber is started again
     * @param restartMaxBackoff      cap of that delay
     */
    public record Settings(long maxOutstandingMessages, long maxOutstandingBytes, int parallelPullCount,
                           int executorThreads, Duration maxAckExtension, Duration restartInitialBackoff,
                           Duration restartMaxBackoff) {
        public Settings(long maxOutstandingMessages, long maxOutstandingBytes, int parallelPullCount,
                        int executorThreads, Duration maxAckExtension) {
            this(maxOutstandingMessages, maxOutstandingBytes, parallelPullCount, executorThreads, maxAckExtension,
                    Duration.ofSeconds(1), Duration.ofSeconds(60));
        }
    }

    private final SinkBatcher batcher;
    private final ProjectSubscriptionName subscription;
    private final Settings settings;
    private final PubSubConnection connection;
    private final ScheduledExecutorService restarts;

    private Subscriber subscriber;
    private boolean stopped;
    private int failures;
    private volatile String problem;
    private volatile int restartCount;

    private PullSubscriber(SinkBatcher batcher, ProjectSubscriptionName subscription, Settings settings,
                           PubSubConnection connection) {
        this.batcher = batcher;
        this.subscription = subscription;
        this.settings = settings;
        this.connection = connection;
        this.restarts = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fanout-pull-restart-" + batcher.sinkName());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Builds and starts the subscriber. A subscriber that fails to start is retried like one that
     * fails later: the app stays up and readiness says why.
     *
     * @param connection where Pub/Sub is (owned by the caller, closed after {@link #stop})
     */
    public static PullSubscriber start(SinkBatcher batcher, ProjectSubscriptionName subscription, Settings settings,
                                       PubSubConnection connection) {
        Objects.requireNonNull(batcher, "batcher");
        PullSubscriber p = new PullSubscriber(batcher, subscription, settings, connection);
        p.launch();
        LOG.infof("sink %s pulls from %s%s", batcher.sinkName(), subscription, connection.describe());
        return p;
    }

    private void launch() {
        Subscriber s;
        synchronized (this) {
            if (stopped) {
                return;
            }
            s = build();
            subscriber = s;
        }
        try {
            s.startAsync().awaitRunning();
            synchronized (this) {
                if (subscriber == s) {
                    problem = null;
                    failures = 0;
                }
            }
        } catch (IllegalStateException e) {
            // failed(...) below already scheduled the restart.
            LOG.debugf("pull subscriber of sink %s did not start: %s", batcher.sinkName(), e.getMessage());
        }
    }

    private Subscriber build() {
        MessageReceiver receiver = (message, reply) -> receive(batcher, message, reply);
        Subscriber.Builder b = Subscriber.newBuilder(subscription, receiver)
                .setFlowControlSettings(FlowControlSettings.newBuilder()
                        .setMaxOutstandingElementCount(settings.maxOutstandingMessages())
                        .setMaxOutstandingRequestBytes(settings.maxOutstandingBytes())
                        .setLimitExceededBehavior(FlowController.LimitExceededBehavior.Block)
                        .build())
                .setParallelPullCount(settings.parallelPullCount())
                .setMaxAckExtensionPeriodDuration(settings.maxAckExtension())
                // Held messages are left to the subscription at stop, never nacked into a stopping consumer.
                .setSubscriberShutdownSettings(SubscriberShutdownSettings.newBuilder()
                        .setMode(SubscriberShutdownSettings.ShutdownMode.WAIT_FOR_PROCESSING)
                        .setTimeout(Duration.ofSeconds(5))
                        .build())
                .setExecutorProvider(InstantiatingExecutorProvider.newBuilder()
                        .setExecutorThreadCount(settings.executorThreads()).build());
        Subscriber s = connection.configure(b).build();
        s.addListener(new Subscriber.Listener() {
            @Override
            public void failed(Subscriber.State from, Throwable failure) {
                onFailure(s, failure);
            }
        }, Runnable::run);
        return s;
    }

    private void onFailure(Subscriber failed, Throwable failure) {
        Duration delay;
        synchronized (this) {
            if (stopped || subscriber != failed) {
                return;
            }
            failures++;
            delay = backoff(failures);
            problem = "subscriber of " + subscription + " failed (" + failure.getClass().getSimpleName()
                    + (failure.getMessage() == null ? "" : ": " + firstLine(failure.getMessage()))
                    + "); restart " + failures + " in " + delay.toMillis() + " ms";
        }
        LOG.errorf("pull subscriber of sink %s on %s failed: %s; starting it again in %d ms",
                batcher.sinkName(), subscription, firstLine(String.valueOf(failure.getMessage())), delay.toMillis());
        restarts.schedule(() -> {
            restartCount++;
            launch();
        }, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Delay before restart {@code n} (1 = first): initial * 2^(n-1), capped. */
    Duration backoff(int n) {
        long ms = settings.restartInitialBackoff().toMillis();
        for (int i = 1; i < n && ms < settings.restartMaxBackoff().toMillis(); i++) {
            ms *= 2;
        }
        return Duration.ofMillis(Math.min(ms, settings.restartMaxBackoff().toMillis()));
    }

    private static void receive(SinkBatcher batcher, PubsubMessage message, AckReplyConsumer reply) {
        Timestamp ts = message.hasPublishTime() ? message.getPublishTime() : null;
        Integer attempt = Subscriber.getDeliveryAttempt(message);
        ReceivedMessage rm = new ReceivedMessage(message.getMessageId(), message.getData().toByteArray(),
                message.getAttributesMap(), ts == null ? null : Instant.ofEpochSecond(ts.getSeconds(), ts.getNanos()),
                attempt == null ? 0 : attempt);
        Delivery d = Delivery.of(rm, reply::ack, reply::nack);
        try {
            batcher.submit(d); // false after intake stopped: held, the subscription redelivers it later
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // held as well
        }
    }

    public ProjectSubscriptionName subscription() {
        return subscription;
    }

    public SinkBatcher batcher() {
        return batcher;
    }

    public synchronized boolean running() {
        return subscriber != null && subscriber.isRunning();
    }

    /** Why the subscriber is not running (its last failure and the pending restart); null when it runs. */
    public String problem() {
        if (running()) {
            return null;
        }
        String p = problem;
        return p != null ? p : "subscriber of " + subscription + " is not running";
    }

    /** How many times the subscriber was started again after a failure. */
    public int restarts() {
        return restartCount;
    }

    /**
     * Stops the stream; call after the batcher's shutdown so that its acks and nacks are sent
     * before the stream closes. Waits at most {@code timeout}.
     */
    public void stop(Duration timeout) {
        Subscriber s;
        synchronized (this) {
            stopped = true;
            s = subscriber;
        }
        restarts.shutdownNow();
        if (s == null) {
            return;
        }
        try {
            s.stopAsync().awaitTerminated(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warnf("pull subscriber of sink %s did not stop within %s", batcher.sinkName(), timeout);
        } catch (IllegalStateException e) {
            LOG.debugf("pull subscriber of sink %s stopped in failed state: %s", batcher.sinkName(), e.getMessage());
        }
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        String l = nl < 0 ? s : s.substring(0, nl);
        return l.length() > 200 ? l.substring(0, 200) + "…" : l;
    }
}
