package dev.fanout.testsupport.pubsub;

import com.google.api.gax.batching.BatchingSettings;
import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.GrpcTransportChannel;
import com.google.api.gax.retrying.RetrySettings;
import com.google.api.gax.rpc.FixedTransportChannelProvider;
import com.google.api.gax.rpc.TransportChannelProvider;
import com.google.cloud.pubsub.v1.MessageReceiver;
import com.google.cloud.pubsub.v1.Publisher;
import com.google.cloud.pubsub.v1.Subscriber;
import com.google.pubsub.v1.TopicName;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Real Pub/Sub clients wired the way PUBSUB_EMULATOR_HOST wires them; closes what it made. */
final class PubSubClients implements AutoCloseable {

    private final ManagedChannel channel;
    private final TransportChannelProvider channelProvider;
    private final List<Publisher> publishers = new ArrayList<>();
    private final List<Subscriber> subscribers = new ArrayList<>();

    PubSubClients(String hostPort) {
        channel = ManagedChannelBuilder.forTarget(hostPort).usePlaintext().build();
        channelProvider = FixedTransportChannelProvider.create(GrpcTransportChannel.create(channel));
    }

    /** A publisher that batches up to {@code batchSize} messages and makes one attempt per batch. */
    Publisher publisher(String project, String topic, long batchSize, Duration rpcTimeout) {
        return publisher(project, topic, batchSize, rpcTimeout, 1);
    }

    /**
     * A publisher with at most {@code attempts} attempts per batch. The client insists on a total
     * timeout of at least 10 s, and with a single attempt it uses that total as the RPC deadline:
     * a short per-RPC deadline needs {@code attempts >= 2}.
     */
    Publisher publisher(String project, String topic, long batchSize, Duration rpcTimeout, int attempts) {
        Duration totalTimeout = rpcTimeout.compareTo(Duration.ofSeconds(10)) < 0 ? Duration.ofSeconds(10) : rpcTimeout;
        try {
            Publisher publisher = Publisher.newBuilder(TopicName.of(project, topic))
                    .setChannelProvider(channelProvider)
                    .setCredentialsProvider(NoCredentialsProvider.create())
                    .setBatchingSettings(BatchingSettings.newBuilder()
                            .setElementCountThreshold(batchSize)
                            .setRequestByteThreshold(1_000_000L)
                            .setDelayThresholdDuration(Duration.ofMillis(50))
                            .build())
                    .setRetrySettings(RetrySettings.newBuilder()
                            .setTotalTimeoutDuration(totalTimeout)
                            .setInitialRpcTimeoutDuration(rpcTimeout)
                            .setMaxRpcTimeoutDuration(rpcTimeout)
                            .setRpcTimeoutMultiplier(1.0)
                            .setInitialRetryDelayDuration(Duration.ofMillis(10))
                            .setMaxRetryDelayDuration(Duration.ofMillis(50))
                            .setRetryDelayMultiplier(2.0)
                            .setMaxAttempts(attempts)
                            .build())
                    .build();
            publishers.add(publisher);
            return publisher;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Subscriber subscriber(String subscription, MessageReceiver receiver) {
        Subscriber subscriber = Subscriber.newBuilder(subscription, receiver)
                .setChannelProvider(channelProvider)
                .setCredentialsProvider(NoCredentialsProvider.create())
                .setParallelPullCount(1)
                .build();
        subscribers.add(subscriber);
        subscriber.startAsync().awaitRunning();
        return subscriber;
    }

    @Override
    public void close() throws InterruptedException {
        for (Subscriber s : subscribers) {
            s.stopAsync();
        }
        for (Subscriber s : subscribers) {
            try {
                s.awaitTerminated(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                // A subscriber that failed already reported it to its test.
            }
        }
        for (Publisher p : publishers) {
            p.shutdown();
            p.awaitTermination(10, TimeUnit.SECONDS);
        }
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
}
