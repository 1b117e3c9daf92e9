package dev.fanout.testsupport.pubsub;

import com.google.protobuf.Empty;
import com.google.pubsub.v1.DeleteTopicRequest;
import com.google.pubsub.v1.GetTopicRequest;
import com.google.pubsub.v1.ListTopicSubscriptionsRequest;
import com.google.pubsub.v1.ListTopicSubscriptionsResponse;
import com.google.pubsub.v1.ListTopicsRequest;
import com.google.pubsub.v1.ListTopicsResponse;
import com.google.pubsub.v1.PublishRequest;
import com.google.pubsub.v1.PublishResponse;
import com.google.pubsub.v1.PublisherGrpc;
import com.google.pubsub.v1.PubsubMessage;
import com.google.pubsub.v1.Topic;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The Publisher gRPC service: topic admin and Publish with fault injection. */
final class PublisherService extends PublisherGrpc.PublisherImplBase {

    /** https://cloud.google.com/pubsub/quotas#resource_limits : messages per publish request. */
    static final int MAX_MESSAGES_PER_PUBLISH = 1_000;
    /** https://cloud.google.com/pubsub/quotas#resource_limits : publish request size. */
    static final int MAX_PUBLISH_REQUEST_BYTES = 10 * 1024 * 1024;

    private final PubSubFake fake;

    PublisherService(PubSubFake fake) {
        this.fake = fake;
    }

    @Override
    public void createTopic(Topic request, StreamObserver<Topic> out) {
        try {
            out.onNext(fake.createTopicResource(request, true));
            out.onCompleted();
        } catch (StatusRuntimeException e) {
            out.onError(e);
        }
    }

    @Override
    public void getTopic(GetTopicRequest request, StreamObserver<Topic> out) {
        FakeTopic topic = fake.topic(request.getTopic());
        if (topic == null) {
            out.onError(PubSubFake.notFound("Topic", request.getTopic()));
            return;
        }
        out.onNext(topic.resource());
        out.onCompleted();
    }

    @Override
    public void listTopics(ListTopicsRequest request, StreamObserver<ListTopicsResponse> out) {
        String prefix = request.getProject() + "/topics/";
        ListTopicsResponse.Builder response = ListTopicsResponse.newBuilder();
        fake.topics().stream().filter(t -> t.name().startsWith(prefix)).sorted((a, b) -> a.name().compareTo(b.name()))
                .forEach(t -> response.addTopics(t.resource()));
        out.onNext(response.build());
        out.onCompleted();
    }

    @Override
    public void listTopicSubscriptions(ListTopicSubscriptionsRequest request,
            StreamObserver<ListTopicSubscriptionsResponse> out) {
        ListTopicSubscriptionsResponse.Builder response = ListTopicSubscriptionsResponse.newBuilder();
        fake.subscriptionsOf(request.getTopic()).forEach(s -> response.addSubscriptions(s.name()));
        out.onNext(response.build());
        out.onCompleted();
    }

    @Override
    public void deleteTopic(DeleteTopicRequest request, StreamObserver<Empty> out) {
        if (!fake.deleteTopic(request.getTopic())) {
            out.onError(PubSubFake.notFound("Topic", request.getTopic()));
            return;
        }
        out.onNext(Empty.getDefaultInstance());
        out.onCompleted();
    }

    @Override
    public void publish(PublishRequest request, StreamObserver<PublishResponse> out) {
        fake.countPublishRequest();
        Status fault = fake.faults().select(request);
        Duration delay = fake.faults().delay();
        Runnable complete = () -> {
            // A client that gave up (deadline, cancel) saw a failure: storing its messages would
            // make "nothing stored after a failed publish" untestable.
            if (out instanceof ServerCallStreamObserver<?> call && call.isCancelled()) {
                fake.countAbandonedPublish();
            } else if (fault != null) {
                out.onError(fault.asRuntimeException());
            } else {
                accept(request, out);
            }
        };
        if (delay.isZero()) {
            complete.run();
        } else {
            fake.scheduler().schedule(complete, delay.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void accept(PublishRequest request, StreamObserver<PublishResponse> out) {
        try {
            Status invalid = validate(request);
            if (invalid != null) {
                out.onError(invalid.asRuntimeException());
                return;
            }
            FakeTopic topic = fake.topicForPublish(request.getTopic());
            if (topic == null) {
                out.onError(PubSubFake.notFound("Topic", request.getTopic()));
                return;
            }
            List<PubsubMessage> accepted = fake.accept(topic, request.getMessagesList());
            PublishResponse.Builder response = PublishResponse.newBuilder();
            accepted.forEach(m -> response.addMessageIds(m.getMessageId()));
            out.onNext(response.build());
            out.onCompleted();
        } catch (StatusRuntimeException e) {
            out.onError(e);
        } catch (RuntimeException e) {
            out.onError(Status.INTERNAL.withDescription(e.toString()).withCause(e).asRuntimeException());
        }
    }

    private static Status validate(PublishRequest request) {
        try {
            Names.requireTopic(request.getTopic());
        } catch (StatusRuntimeException e) {
            return e.getStatus();
        }
        if (request.getMessagesCount() == 0) {
            return Status.INVALID_ARGUMENT.withDescription("Publish request has no messages");
        }
        if (request.getMessagesCount() > MAX_MESSAGES_PER_PUBLISH) {
            return Status.INVALID_ARGUMENT.withDescription(
                    "Too many messages in one publish request: " + request.getMessagesCount());
        }
        if (request.getSerializedSize() > MAX_PUBLISH_REQUEST_BYTES) {
            return Status.INVALID_ARGUMENT.withDescription(
                    "Publish request too large: " + request.getSerializedSize() + " bytes");
        }
        for (PubsubMessage m : request.getMessagesList()) {
            if (m.getData().isEmpty() && m.getAttributesCount() == 0) {
                return Status.INVALID_ARGUMENT.withDescription(
                        "A message must have data or at least one attribute");
            }
        }
        return null;
    }
}
