package dev.fanout.testsupport.pubsub;

import com.google.protobuf.Empty;
import com.google.pubsub.v1.AcknowledgeRequest;
import com.google.pubsub.v1.DeleteSubscriptionRequest;
import com.google.pubsub.v1.GetSubscriptionRequest;
import com.google.pubsub.v1.ListSubscriptionsRequest;
import com.google.pubsub.v1.ListSubscriptionsResponse;
import com.google.pubsub.v1.ModifyAckDeadlineRequest;
import com.google.pubsub.v1.PullRequest;
import com.google.pubsub.v1.PullResponse;
import com.google.pubsub.v1.ReceivedMessage;
import com.google.pubsub.v1.StreamingPullRequest;
import com.google.pubsub.v1.StreamingPullResponse;
import com.google.pubsub.v1.SubscriberGrpc;
import com.google.pubsub.v1.Subscription;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The Subscriber gRPC service: subscription admin, Pull, StreamingPull, acks and deadlines. */
final class SubscriberService extends SubscriberGrpc.SubscriberImplBase {

    /** How long a Pull without {@code return_immediately} waits for messages before answering empty. */
    private static final long PULL_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long PULL_POLL_MILLIS = 20;

    private final PubSubFake fake;

    SubscriberService(PubSubFake fake) {
        this.fake = fake;
    }

    @Override
    public void createSubscription(Subscription request, StreamObserver<Subscription> out) {
        try {
            out.onNext(fake.createSubscriptionResource(request, null, true).resource());
            out.onCompleted();
        } catch (StatusRuntimeException e) {
            out.onError(e);
        }
    }

    @Override
    public void getSubscription(GetSubscriptionRequest request, StreamObserver<Subscription> out) {
        FakeSubscription sub = fake.subscription(request.getSubscription());
        if (sub == null) {
            out.onError(PubSubFake.notFound("Subscription", request.getSubscription()));
            return;
        }
        out.onNext(sub.resource());
        out.onCompleted();
    }

    @Override
    public void listSubscriptions(ListSubscriptionsRequest request, StreamObserver<ListSubscriptionsResponse> out) {
        String prefix = request.getProject() + "/subscriptions/";
        ListSubscriptionsResponse.Builder response = ListSubscriptionsResponse.newBuilder();
        fake.subscriptions().stream().filter(s -> s.name().startsWith(prefix))
                .sorted((a, b) -> a.name().compareTo(b.name()))
                .forEach(s -> response.addSubscriptions(s.resource()));
        out.onNext(response.build());
        out.onCompleted();
    }

    @Override
    public void deleteSubscription(DeleteSubscriptionRequest request, StreamObserver<Empty> out) {
        if (!fake.deleteSubscription(request.getSubscription())) {
            out.onError(PubSubFake.notFound("Subscription", request.getSubscription()));
            return;
        }
        out.onNext(Empty.getDefaultInstance());
        out.onCompleted();
    }

    @Override
    public void modifyAckDeadline(ModifyAckDeadlineRequest request, StreamObserver<Empty> out) {
        FakeSubscription sub = fake.subscription(request.getSubscription());
        if (sub == null) {
            out.onError(PubSubFake.notFound("Subscription", request.getSubscription()));
            return;
        }
        request.getAckIdsList().forEach(id -> sub.modifyAckDeadline(id, request.getAckDeadlineSeconds()));
        out.onNext(Empty.getDefaultInstance());
        out.onCompleted();
    }

    @Override
    public void acknowledge(AcknowledgeRequest request, StreamObserver<Empty> out) {
        FakeSubscription sub = fake.subscription(request.getSubscription());
        if (sub == null) {
            out.onError(PubSubFake.notFound("Subscription", request.getSubscription()));
            return;
        }
        request.getAckIdsList().forEach(sub::ack);
        out.onNext(Empty.getDefaultInstance());
        out.onCompleted();
    }

    @Override
    @SuppressWarnings("deprecation") // return_immediately is deprecated but clients still send it
    public void pull(PullRequest request, StreamObserver<PullResponse> out) {
        FakeSubscription sub = fake.subscription(request.getSubscription());
        if (sub == null) {
            out.onError(PubSubFake.notFound("Subscription", request.getSubscription()));
            return;
        }
        if (request.getMaxMessages() <= 0) {
            out.onError(Status.INVALID_ARGUMENT.withDescription("max_messages must be > 0").asRuntimeException());
            return;
        }
        long giveUp = request.getReturnImmediately() ? System.nanoTime() : System.nanoTime() + PULL_WAIT_NANOS;
        tryPull(sub, request.getMaxMessages(), giveUp, out);
    }

    private void tryPull(FakeSubscription sub, int max, long giveUpNanos, StreamObserver<PullResponse> out) {
        if (out instanceof ServerCallStreamObserver<?> call && call.isCancelled()) {
            return;
        }
        List<ReceivedMessage> messages = sub.pull(max);
        if (messages.isEmpty() && System.nanoTime() - giveUpNanos < 0) {
            // Long poll without parking a gRPC thread.
            fake.scheduler().schedule(() -> tryPull(sub, max, giveUpNanos, out), PULL_POLL_MILLIS,
                    TimeUnit.MILLISECONDS);
            return;
        }
        out.onNext(PullResponse.newBuilder().addAllReceivedMessages(messages).build());
        out.onCompleted();
    }

    @Override
    public StreamObserver<StreamingPullRequest> streamingPull(StreamObserver<StreamingPullResponse> out) {
        return new StreamingPullSession(fake, (ServerCallStreamObserver<StreamingPullResponse>) out);
    }
}
