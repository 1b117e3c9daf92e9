package dev.fanout.testsupport.pubsub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.api.gax.batching.FlowControlSettings;
import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.GrpcTransportChannel;
import com.google.api.gax.rpc.FixedTransportChannelProvider;
import com.google.cloud.pubsub.v1.AckReplyConsumer;
import com.google.cloud.pubsub.v1.MessageReceiver;
import com.google.cloud.pubsub.v1.Publisher;
import com.google.cloud.pubsub.v1.Subscriber;
import com.google.protobuf.ByteString;
import com.google.pubsub.v1.AcknowledgeRequest;
import com.google.pubsub.v1.GetSubscriptionRequest;
import com.google.pubsub.v1.ModifyAckDeadlineRequest;
import com.google.pubsub.v1.PubsubMessage;
import com.google.pubsub.v1.PullRequest;
import com.google.pubsub.v1.PullResponse;
import com.google.pubsub.v1.ReceivedMessage;
import com.google.pubsub.v1.StreamingPullRequest;
import com.google.pubsub.v1.StreamingPullResponse;
import com.google.pubsub.v1.SubscriberGrpc;
import com.google.pubsub.v1.Subscription;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PubSubFakeSubscribeTests {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private PubSubFake fake;
    private PubSubClients clients;
    private ManagedChannel channel;

    @BeforeEach
    void start() {
        fake = PubSubFake.start();
        clients = new PubSubClients(fake.hostPort());
        channel = ManagedChannelBuilder.forTarget(fake.hostPort()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws InterruptedException {
        clients.close();
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        fake.close();
    }

    private void publish(String topic, int count) throws Exception {
        Publisher publisher = clients.publisher("p", topic, 10, Duration.ofSeconds(10));
        for (int i = 0; i < count; i++) {
            publisher.publish(PubsubMessage.newBuilder().setData(ByteString.copyFromUtf8("m" + i)).build())
                    .get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void realSubscriberReceivesAndAcks() throws Exception {
        String sub = fake.createSubscription("p", "s", "events", 10);
        List<String> received = new CopyOnWriteArrayList<>();
        clients.subscriber(sub, (MessageReceiver) (message, consumer) -> {
            received.add(message.getData().toStringUtf8());
            consumer.ack();
        });

        publish("events", 5);

        assertThat(fake.awaitAcked("s", 5, WAIT)).isEqualTo(5);
        assertThat(received).containsExactlyInAnyOrder("m0", "m1", "m2", "m3", "m4");
        assertThat(fake.outstanding("s")).isZero();
        assertThat(fake.nacked("s")).isZero();
        assertThat(fake.delivered("s")).isEqualTo(5);
    }

    @Test
    void nackedMessageIsRedeliveredWithDeliveryAttemptTwo() throws Exception {
        String sub = fake.createSubscription("p", "s", "events", 10);
        Map<String, List<Integer>> attempts = new ConcurrentHashMap<>();
        clients.subscriber(sub, (MessageReceiver) (message, consumer) -> {
            Integer attempt = Subscriber.getDeliveryAttempt(message);
            attempts.computeIfAbsent(message.getMessageId(), k -> new CopyOnWriteArrayList<>()).add(attempt);
            if (attempt != null && attempt == 1) {
                consumer.nack();
            } else {
                consumer.ack();
            }
        });

        publish("events", 1);

        fake.awaitAcked("s", 1, WAIT);
        assertThat(attempts).hasSize(1);
        assertThat(attempts.values().iterator().next()).containsExactly(1, 2);
        assertThat(fake.nacked("s")).isEqualTo(1);
        assertThat(fake.acked("s")).isEqualTo(1);
        assertThat(fake.delivered("s")).isEqualTo(2);
    }

    @Test
    void subscriptionAckDeadlineExpiryRedelivers() throws Exception {
        String sub = fake.createSubscription("p", "s", "events", 1);
        SubscriberGrpc.SubscriberBlockingStub stub = SubscriberGrpc.newBlockingStub(channel);
        publish("events", 1);

        ReceivedMessage first = pullOne(stub, sub);
        // Not acked: the 1 s deadline passes and the message comes back.
        ReceivedMessage second = pullOne(stub, sub);

        assertThat(first.getDeliveryAttempt()).isEqualTo(1);
        assertThat(second.getMessage().getMessageId()).isEqualTo(first.getMessage().getMessageId());
        assertThat(second.getDeliveryAttempt()).isEqualTo(2);
        assertThat(fake.expired("s")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aLateAckOfAnExpiredDeliveryDoesNotRemoveTheRedeliveredMessage() throws Exception {
        String sub = fake.createSubscription("p", "s", "events", 60);
        SubscriberGrpc.SubscriberBlockingStub stub = SubscriberGrpc.newBlockingStub(channel);
        publish("events", 1);
        ReceivedMessage first = pullOne(stub, sub);
        // Shorten only this lease, so the redelivery below keeps the 60 s deadline.
        stub.modifyAckDeadline(ModifyAckDeadlineRequest.newBuilder().setSubscription(sub)
                .addAckIds(first.getAckId()).setAckDeadlineSeconds(1).build());

        ReceivedMessage second = pullOne(stub, sub);
        assertThat(second.getDeliveryAttempt()).isEqualTo(2);
        assertThat(second.getAckId()).isNotEqualTo(first.getAckId());
        assertThat(fake.expired("s")).isEqualTo(1);

        stub.acknowledge(AcknowledgeRequest.newBuilder().setSubscription(sub).addAckIds(first.getAckId()).build());
        assertThat(fake.acked("s")).isZero();
        assertThat(fake.outstanding("s")).isEqualTo(1);

        stub.acknowledge(AcknowledgeRequest.newBuilder().setSubscription(sub).addAckIds(second.getAckId()).build());
        assertThat(fake.acked("s")).isEqualTo(1);
        assertThat(fake.outstanding("s")).isZero();
    }

    @Test
    void modifyAckDeadlineZeroIsANackWithImmediateRedelivery() throws Exception {
        String sub = fake.createSubscription("p", "s", "events", 60);
        SubscriberGrpc.SubscriberBlockingStub stub = SubscriberGrpc.newBlockingStub(channel);
        publish("events", 1);
        ReceivedMessage first = pullOne(stub, sub);

        stub.modifyAckDeadline(ModifyAckDeadlineRequest.newBuilder().setSubscription(sub)
                .addAckIds(first.getAckId()).setAckDeadlineSeconds(0).build());

        assertThat(fake.nacked("s")).isEqualTo(1);
        assertThat(fake.outstanding("s")).isZero();
        assertThat(pullOne(stub, sub).getDeliveryAttempt()).isEqualTo(2);
    }

    private static ReceivedMessage pullOne(SubscriberGrpc.SubscriberBlockingStub stub, String sub) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            PullResponse response = stub.pull(PullRequest.newBuilder().setSubscription(sub).setMaxMessages(1).build());
            if (response.getReceivedMessagesCount() > 0) {
                return response.getReceivedMessages(0);
            }
        }
        throw new AssertionError("no message pulled within " + WAIT);
    }

    private StreamObserver<StreamingPullRequest> openStream(BlockingQueue<ReceivedMessage> received) {
        return SubscriberGrpc.newStub(channel).streamingPull(new StreamObserver<StreamingPullResponse>() {
            @Override
            public void onNext(StreamingPullResponse value) {
                received.addAll(value.getReceivedMessagesList());
            }

            @Override
            public void onError(Throwable t) {
                // The test's takes time out and report it.
            }

            @Override
            public void onCompleted() {
            }
        });
    }

    @Test
    void streamingPullHonoursTheClientsOutstandingMessageLimit() throws Exception {
        String sub = fake.createSubscription("p", "s", "events", 60);
        BlockingQueue<ReceivedMessage> received = new LinkedBlockingQueue<>();
        StreamObserver<StreamingPullRequest> requests = openStream(received);
        requests.onNext(StreamingPullRequest.newBuilder().setSubscription(sub).setStreamAckDeadlineSeconds(60)
                .setMaxOutstandingMessages(2).build());
        publish("events", 3);

        // Two arrive; the third waits for capacity. Acking one over the stream frees it.
        List<ReceivedMessage> firstTwo = List.of(take(received), take(received));
        assertThat(fake.outstanding("s")).isEqualTo(2);
        assertThat(fake.pending("s")).isEqualTo(1);
        assertThat(received).isEmpty();
        requests.onNext(StreamingPullRequest.newBuilder().addAckIds(firstTwo.get(0).getAckId()).build());

        ReceivedMessage third = take(received);
        assertThat(third.getDeliveryAttempt()).isEqualTo(1);
        assertThat(fake.acked("s")).isEqualTo(1);
        assertThat(fake.outstanding("s")).isEqualTo(2);
        requests.onCompleted();
    }

    @Test
    void failStreamingPullsEndsOpenStreamsAndRefusesNewOnesUntilCleared() throws Exception {
        String sub = fake.createSubscription("p", "s", "events", 60);
        BlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();
        StreamObserver<StreamingPullRequest> open = streamReportingErrors(errors);
        open.onNext(StreamingPullRequest.newBuilder().setSubscription(sub).setStreamAckDeadlineSeconds(60).build());
        assertThat(errors.poll(300, TimeUnit.MILLISECONDS)).isNull();

        fake.failStreamingPulls(Status.UNAVAILABLE);

        assertThat(Status.fromThrowable(errors.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        StreamObserver<StreamingPullRequest> refused = streamReportingErrors(errors);
        refused.onNext(StreamingPullRequest.newBuilder().setSubscription(sub).setStreamAckDeadlineSeconds(60).build());
        assertThat(Status.fromThrowable(errors.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).getCode()).isEqualTo(Status.Code.UNAVAILABLE);

        fake.clearFaults();
        BlockingQueue<ReceivedMessage> received = new LinkedBlockingQueue<>();
        StreamObserver<StreamingPullRequest> again = openStream(received);
        again.onNext(StreamingPullRequest.newBuilder().setSubscription(sub).setStreamAckDeadlineSeconds(60).build());
        publish("events", 1);
        assertThat(take(received).getDeliveryAttempt()).isEqualTo(1);
        again.onCompleted();
    }

    private StreamObserver<StreamingPullRequest> streamReportingErrors(BlockingQueue<Throwable> errors) {
        return SubscriberGrpc.newStub(channel).streamingPull(new StreamObserver<StreamingPullResponse>() {
            @Override
            public void onNext(StreamingPullResponse value) {
            }

            @Override
            public void onError(Throwable t) {
                errors.add(t);
            }

            @Override
            public void onCompleted() {
            }
        });
    }

    @Test
    void aKeepalivePingOnAnIdleStreamIsAnsweredSoTheClientKeepsTheStream() throws Exception {
        String sub = fake.createSubscription("p", "s", "events", 60);
        BlockingQueue<StreamingPullResponse> responses = new LinkedBlockingQueue<>();
        StreamObserver<StreamingPullRequest> requests = SubscriberGrpc.newStub(channel).streamingPull(
                new StreamObserver<StreamingPullResponse>() {
                    @Override
                    public void onNext(StreamingPullResponse value) {
                        responses.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        requests.onNext(StreamingPullRequest.newBuilder().setSubscription(sub).setStreamAckDeadlineSeconds(60).build());
        assertThat(responses.poll(300, TimeUnit.MILLISECONDS)).as("nothing to deliver yet").isNull();

        requests.onNext(StreamingPullRequest.getDefaultInstance());

        StreamingPullResponse pong = responses.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(pong).isNotNull();
        assertThat(pong.getReceivedMessagesCount()).isZero();
        requests.onCompleted();
    }

    @Test
    void streamingPullUsesTheStreamAckDeadline() throws Exception {
        String sub = fake.createSubscription("p", "s", "events", 60);
        BlockingQueue<ReceivedMessage> received = new LinkedBlockingQueue<>();
        StreamObserver<StreamingPullRequest> requests = openStream(received);
        requests.onNext(StreamingPullRequest.newBuilder().setSubscription(sub).setStreamAckDeadlineSeconds(1).build());
        publish("events", 1);

        ReceivedMessage first = take(received);
        // Not acked: the stream's 1 s deadline, not the subscription's 60 s, brings it back.
        ReceivedMessage again = take(received);

        assertThat(again.getMessage().getMessageId()).isEqualTo(first.getMessage().getMessageId());
        assertThat(again.getDeliveryAttempt()).isEqualTo(2);
        requests.onCompleted();
    }

    @Test
    void withRedeliverOnStreamCloseACancelledStreamsLeasesComeBackAtOnce() throws Exception {
        fake.redeliverOnStreamClose(true);
        String sub = fake.createSubscription("p", "s", "events", 600);
        BlockingQueue<ReceivedMessage> received = new LinkedBlockingQueue<>();
        StreamObserver<StreamingPullRequest> requests = openStream(received);
        requests.onNext(StreamingPullRequest.newBuilder().setSubscription(sub).setStreamAckDeadlineSeconds(600)
                .build());
        publish("events", 1);
        ReceivedMessage first = take(received);

        ((ClientCallStreamObserver<StreamingPullRequest>) requests).cancel("consumer stopped", null);

        ReceivedMessage again = pullOne(SubscriberGrpc.newBlockingStub(channel), sub);
        assertThat(again.getMessage().getMessageId()).isEqualTo(first.getMessage().getMessageId());
        assertThat(again.getDeliveryAttempt()).isEqualTo(2);
    }

    @Test
    void streamingPullOnAnUnknownSubscriptionFailsWithNotFound() throws Exception {
        BlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();
        StreamObserver<StreamingPullRequest> requests = SubscriberGrpc.newStub(channel)
                .streamingPull(new StreamObserver<StreamingPullResponse>() {
                    @Override
                    public void onNext(StreamingPullResponse value) {
                    }

                    @Override
                    public void onError(Throwable t) {
                        errors.add(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        requests.onNext(StreamingPullRequest.newBuilder().setSubscription("projects/p/subscriptions/none")
                .setStreamAckDeadlineSeconds(10).build());

        Throwable error = errors.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(error).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    }

    private static ReceivedMessage take(BlockingQueue<ReceivedMessage> queue) throws InterruptedException {
        ReceivedMessage m = queue.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        if (m == null) {
            throw new AssertionError("no message within " + WAIT);
        }
        return m;
    }

    @Test
    void realSubscriberWithTightFlowControlGetsEveryMessage() throws Exception {
        String sub = fake.createSubscription("p", "s", "events", 10);
        BlockingQueue<AckReplyConsumer> toAck = new LinkedBlockingQueue<>();
        Subscriber subscriber = Subscriber.newBuilder(sub, (MessageReceiver) (message, consumer) -> toAck.add(consumer))
                .setChannelProvider(FixedTransportChannelProvider.create(GrpcTransportChannel.create(channel)))
                .setCredentialsProvider(NoCredentialsProvider.create())
                .setParallelPullCount(1)
                .setFlowControlSettings(FlowControlSettings.newBuilder()
                        .setMaxOutstandingElementCount(3L).build())
                .build();
        subscriber.startAsync().awaitRunning();
        try {
            publish("events", 12);
            for (int i = 0; i < 12; i++) {
                AckReplyConsumer consumer = toAck.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(consumer).as("message %d", i).isNotNull();
                consumer.ack();
            }
            fake.awaitAcked("s", 12, WAIT);
            assertThat(fake.delivered("s")).isEqualTo(12);
        } finally {
            subscriber.stopAsync().awaitTerminated(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void subscriptionAdminOverGrpc() {
        SubscriberGrpc.SubscriberBlockingStub stub = SubscriberGrpc.newBlockingStub(channel);
        fake.createTopic("p", "t");
        Subscription created = stub.createSubscription(Subscription.newBuilder()
                .setName("projects/p/subscriptions/admin").setTopic("projects/p/topics/t")
                .setAckDeadlineSeconds(42).build());

        Subscription fetched = stub.getSubscription(
                GetSubscriptionRequest.newBuilder().setSubscription("projects/p/subscriptions/admin").build());

        assertThat(fetched).isEqualTo(created);
        assertThat(fetched.getAckDeadlineSeconds()).isEqualTo(42);
        assertThatThrownBy(() -> stub.createSubscription(created))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS));
        assertThatThrownBy(() -> stub.getSubscription(
                GetSubscriptionRequest.newBuilder().setSubscription("projects/p/subscriptions/none").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    }

    @Test
    void subscriptionsCreatedAfterAPublishDoNotSeeOlderMessages() throws Exception {
        publish("events", 1);
        fake.createSubscription("p", "late", "events", 10);
        SubscriberGrpc.SubscriberBlockingStub stub = SubscriberGrpc.newBlockingStub(channel);

        @SuppressWarnings("deprecation")
        PullResponse response = stub.pull(PullRequest.newBuilder().setSubscription("projects/p/subscriptions/late")
                .setMaxMessages(10).setReturnImmediately(true).build());

        assertThat(response.getReceivedMessagesList()).isEmpty();
        assertThat(fake.published("events")).hasSize(1);
    }

    @Test
    void countersForUnknownSubscriptionsFailLoudly() {
        assertThatThrownBy(() -> fake.acked("nope")).isInstanceOf(IllegalArgumentException.class);
        assertThat(new ArrayList<>(fake.published("nope"))).isEmpty();
    }
}
