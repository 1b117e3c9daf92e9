package dev.fanout.testsupport.pubsub;

import com.google.pubsub.v1.ReceivedMessage;
import com.google.pubsub.v1.StreamingPullRequest;
import com.google.pubsub.v1.StreamingPullResponse;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.List;

/**
 * Server side of one StreamingPull stream. Flow-control fields are guarded by the subscription's
 * lock; writes to the outgoing stream are serialized on this object because a gRPC
 * {@code StreamObserver} is not thread-safe and the pump, acks and shutdown all write.
 */
final class StreamingPullSession implements StreamObserver<StreamingPullRequest> {

    /** Pub/Sub's own default when the client sends no stream ack deadline. */
    private static final int DEFAULT_STREAM_ACK_DEADLINE_SECONDS = 10;

    private final PubSubFake fake;
    private final ServerCallStreamObserver<StreamingPullResponse> out;
    private volatile FakeSubscription subscription;
    private boolean closed;

    // Guarded by the subscription's lock.
    int ackDeadlineSeconds = DEFAULT_STREAM_ACK_DEADLINE_SECONDS;
    long maxOutstandingMessages;
    long maxOutstandingBytes;
    long outstandingMessages;
    long outstandingBytes;

    StreamingPullSession(PubSubFake fake, ServerCallStreamObserver<StreamingPullResponse> out) {
        this.fake = fake;
        this.out = out;
        out.setOnCancelHandler(this::onCancel);
    }

    @Override
    public void onNext(StreamingPullRequest request) {
        FakeSubscription sub = subscription;
        if (sub == null) {
            Status refused = fake.streamingPullFault();
            if (refused != null) {
                fail(refused);
                return;
            }
            sub = fake.subscription(request.getSubscription());
            if (sub == null) {
                fail(Status.NOT_FOUND.withDescription("Subscription not found: " + request.getSubscription()));
                return;
            }
            if (sub.isPush()) {
                fail(Status.FAILED_PRECONDITION.withDescription("Subscription is a push subscription: " + sub.name()));
                return;
            }
            synchronized (sub) {
                if (request.getStreamAckDeadlineSeconds() > 0) {
                    ackDeadlineSeconds = request.getStreamAckDeadlineSeconds();
                } else {
                    ackDeadlineSeconds = sub.resource().getAckDeadlineSeconds();
                }
                maxOutstandingMessages = request.getMaxOutstandingMessages();
                maxOutstandingBytes = request.getMaxOutstandingBytes();
            }
            subscription = sub;
            applyAcks(sub, request);
            sub.attach(this);
            return;
        }
        if (request.getStreamAckDeadlineSeconds() > 0) {
            synchronized (sub) {
                ackDeadlineSeconds = request.getStreamAckDeadlineSeconds();
            }
        }
        if (request.getAckIdsCount() == 0 && request.getModifyDeadlineAckIdsCount() == 0) {
            // The client's keepalive ping: an idle stream with no server response for 20 s after
            // one is closed by the real Subscriber ("No response from server for 20 seconds since
            // last ping"), and its leases then wait for their deadline. Pub/Sub answers with an
            // empty response; so does the fake.
            send(List.of());
        }
        applyAcks(sub, request);
    }

    private static void applyAcks(FakeSubscription sub, StreamingPullRequest request) {
        request.getAckIdsList().forEach(sub::ack);
        int n = Math.min(request.getModifyDeadlineAckIdsCount(), request.getModifyDeadlineSecondsCount());
        for (int i = 0; i < n; i++) {
            sub.modifyAckDeadline(request.getModifyDeadlineAckIds(i), request.getModifyDeadlineSeconds(i));
        }
    }

    @Override
    public void onError(Throwable t) {
        markClosed();
        detachFromSubscription();
    }

    @Override
    public void onCompleted() {
        detachFromSubscription();
        synchronized (this) {
            if (!closed) {
                closed = true;
                out.onCompleted();
            }
        }
    }

    private void onCancel() {
        markClosed();
        detachFromSubscription();
    }

    private synchronized void markClosed() {
        closed = true;
    }

    private void detachFromSubscription() {
        FakeSubscription sub = subscription;
        if (sub != null) {
            sub.detach(this);
        }
    }

    private void fail(Status status) {
        synchronized (this) {
            if (!closed) {
                closed = true;
                out.onError(status.asRuntimeException());
            }
        }
    }

    /** Called by the subscription under its lock. */
    boolean hasCapacity() {
        return maxOutstandingMessages <= 0 || outstandingMessages < maxOutstandingMessages;
    }

    /** Called by the subscription under its lock. */
    boolean hasCapacity(long bytes) {
        return hasCapacity() && (maxOutstandingBytes <= 0 || outstandingBytes + bytes <= maxOutstandingBytes);
    }

    /** Sends one response; false when the stream is gone (the leases then expire). */
    boolean send(List<ReceivedMessage> messages) {
        synchronized (this) {
            if (closed) {
                return false;
            }
            try {
                out.onNext(StreamingPullResponse.newBuilder().addAllReceivedMessages(messages).build());
                return true;
            } catch (RuntimeException e) {
                closed = true;
                return false;
            }
        }
    }

    /** Ends the stream from the server side with {@code status} (an injected fault); its leases run out as usual. */
    void endWith(Status status) {
        fail(status);
        detachFromSubscription();
    }

    /** Ends the stream from the server side (fake closing, subscription deleted). */
    void closeFromServer() {
        fail(Status.UNAVAILABLE.withDescription("Pub/Sub fake is shutting down"));
    }
}
