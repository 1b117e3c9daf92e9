package dev.fanout.consumer;

import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.GrpcTransportChannel;
import com.google.api.gax.rpc.FixedTransportChannelProvider;
import com.google.cloud.pubsub.v1.Publisher;
import com.google.protobuf.ByteString;
import com.google.pubsub.v1.PubsubMessage;
import com.google.pubsub.v1.TopicName;
import dev.fanout.events.BusMessage;
import dev.fanout.testsupport.pubsub.PubSubFake;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;

/** The real Pub/Sub {@link Publisher}, pointed at the loopback fake. */
public final class FakeTopicPublisher implements AutoCloseable {

    private final ManagedChannel channel;
    private final Publisher publisher;

    public FakeTopicPublisher(PubSubFake fake, String project, String topic) {
        channel = ManagedChannelBuilder.forTarget(fake.hostPort()).usePlaintext().build();
        try {
            publisher = Publisher.newBuilder(TopicName.of(project, topic))
                    .setChannelProvider(FixedTransportChannelProvider.create(GrpcTransportChannel.create(channel)))
                    .setCredentialsProvider(NoCredentialsProvider.create())
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Publishes and waits for the server's message id. */
    public String publish(BusMessage m) throws Exception {
        return publisher.publish(PubsubMessage.newBuilder().setData(ByteString.copyFrom(m.data()))
                .putAllAttributes(m.attributes()).build()).get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        publisher.shutdown();
        publisher.awaitTermination(5, TimeUnit.SECONDS);
        channel.shutdownNow();
    }
}
