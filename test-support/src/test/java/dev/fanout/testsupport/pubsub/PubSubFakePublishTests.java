package dev.fanout.testsupport.pubsub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.api.core.ApiFuture;
import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.StatusCode;
import com.google.cloud.pubsub.v1.Publisher;
import com.google.protobuf.ByteString;
import com.google.pubsub.v1.GetTopicRequest;
import com.google.pubsub.v1.PublisherGrpc;
import com.google.pubsub.v1.PubsubMessage;
import com.google.pubsub.v1.Topic;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PubSubFakePublishTests {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private PubSubFake fake;
    private PubSubClients clients;

    @BeforeEach
    void start() {
        fake = PubSubFake.start();
        clients = new PubSubClients(fake.hostPort());
    }

    @AfterEach
    void stop() throws InterruptedException {
        clients.close();
        fake.close();
    }

    private static PubsubMessage message(String data, String... attributes) {
        PubsubMessage.Builder b = PubsubMessage.newBuilder().setData(ByteString.copyFromUtf8(data));
        for (int i = 0; i + 1 < attributes.length; i += 2) {
            b.putAttributes(attributes[i], attributes[i + 1]);
        }
        return b.build();
    }

    private static List<String> publishAll(Publisher publisher, List<PubsubMessage> messages) throws Exception {
        List<ApiFuture<String>> futures = new ArrayList<>();
        messages.forEach(m -> futures.add(publisher.publish(m)));
        List<String> ids = new ArrayList<>();
        for (ApiFuture<String> f : futures) {
            ids.add(f.get(30, TimeUnit.SECONDS));
        }
        return ids;
    }

    @Test
    void realPublisherWithBatchingStoresEveryMessageWithServerAssignedIds() throws Exception {
        Publisher publisher = clients.publisher("p", "events", 4, Duration.ofSeconds(10));
        List<PubsubMessage> sent = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            sent.add(message("event-" + i, "n", Integer.toString(i)));
        }

        List<String> ids = publishAll(publisher, sent);

        List<PubsubMessage> stored = fake.awaitPublished("events", 10, WAIT);
        assertThat(stored).hasSize(10);
        assertThat(stored).extracting(m -> m.getData().toStringUtf8())
                .containsExactlyInAnyOrderElementsOf(sent.stream().map(m -> m.getData().toStringUtf8()).toList());
        assertThat(stored).extracting(PubsubMessage::getMessageId).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(new HashSet<>(ids)).hasSize(10);
        assertThat(stored).allSatisfy(m -> assertThat(m.getPublishTime().getSeconds()).isPositive());
        assertThat(stored).extracting(m -> Long.parseLong(m.getMessageId())).isSorted();
        // Batching of 4 means at least 3 RPCs; the exact split is the client's business.
        assertThat(fake.publishRequestCount()).isBetween(3, 10);
        assertThat(fake.published("projects/p/topics/events")).isEqualTo(stored);
        assertThat(fake.hasTopic("events")).isTrue();
    }

    @Test
    void concurrentPublishersGetUniqueIdsAndEveryMessageIsStored() throws Exception {
        List<Thread> threads = new ArrayList<>();
        List<String> ids = Collections.synchronizedList(new ArrayList<>());
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 4; t++) {
            Publisher publisher = clients.publisher("p", "events", 7, Duration.ofSeconds(10));
            int thread = t;
            threads.add(new Thread(() -> {
                try {
                    List<PubsubMessage> batch = new ArrayList<>();
                    for (int i = 0; i < 50; i++) {
                        batch.add(message("t" + thread + "-" + i));
                    }
                    ids.addAll(publishAll(publisher, batch));
                } catch (Throwable e) {
                    errors.add(e);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join(60_000);
        }

        assertThat(errors).isEmpty();
        List<PubsubMessage> stored = fake.published("events");
        assertThat(stored).hasSize(200);
        assertThat(new HashSet<>(ids)).hasSize(200);
        assertThat(stored).extracting(m -> Long.parseLong(m.getMessageId())).isSorted();
    }

    @Test
    void injectedUnavailableFailsThePublisherFutureAndStoresNothing() {
        fake.failNextPublishes(1, Status.UNAVAILABLE);
        Publisher publisher = clients.publisher("p", "events", 1, Duration.ofSeconds(5));

        ApiFuture<String> future = publisher.publish(message("lost"));

        assertThatThrownBy(() -> future.get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(ApiException.class)
                .satisfies(e -> assertThat(((ApiException) e).getStatusCode().getCode())
                        .isEqualTo(StatusCode.Code.UNAVAILABLE));
        assertThat(fake.published("events")).isEmpty();
        assertThat(fake.publishRequestCount()).isEqualTo(1);
    }

    @Test
    void failNextCountsDownThenPublishingWorksAgain() throws Exception {
        fake.failNextPublishes(2, Status.INTERNAL);
        Publisher publisher = clients.publisher("p", "events", 1, Duration.ofSeconds(5));

        for (int i = 0; i < 2; i++) {
            ApiFuture<String> failed = publisher.publish(message("fail-" + i));
            assertThatThrownBy(() -> failed.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        }
        String id = publisher.publish(message("ok")).get(30, TimeUnit.SECONDS);

        assertThat(fake.published("events")).singleElement()
                .satisfies(m -> assertThat(m.getMessageId()).isEqualTo(id));
    }

    @Test
    void failAllUntilClearedThenRecovers() throws Exception {
        fake.failAllPublishes(Status.UNAVAILABLE);
        Publisher publisher = clients.publisher("p", "events", 1, Duration.ofSeconds(5));
        for (int i = 0; i < 3; i++) {
            ApiFuture<String> failed = publisher.publish(message("fail-" + i));
            assertThatThrownBy(() -> failed.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        }
        assertThat(fake.published("events")).isEmpty();

        fake.clearFaults();
        publisher.publish(message("ok")).get(30, TimeUnit.SECONDS);
        assertThat(fake.published("events")).hasSize(1);
    }

    @Test
    void predicateFailsOnlyTheSelectedRpcsOfOneClientBatch() throws Exception {
        // Only RPCs carrying the poisoned message fail: with a batch size of 2 the client splits
        // six messages into three RPCs and exactly one of them is rejected.
        fake.failPublishesWhen(r -> r.getMessagesList().stream().anyMatch(m -> m.containsAttributes("poison")),
                Status.INTERNAL);
        Publisher publisher = clients.publisher("p", "events", 2, Duration.ofSeconds(5));

        List<ApiFuture<String>> futures = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            futures.add(i == 2 ? publisher.publish(message("m" + i, "poison", "yes"))
                    : publisher.publish(message("m" + i)));
        }
        int failed = 0;
        for (ApiFuture<String> f : futures) {
            try {
                f.get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                failed++;
            }
        }

        List<String> stored = fake.published("events").stream().map(m -> m.getData().toStringUtf8()).toList();
        assertThat(stored).doesNotContain("m2").contains("m0", "m1", "m4", "m5");
        // m2's RPC may have carried m3 as well; whatever failed is exactly what is missing.
        assertThat(stored).hasSize(6 - failed);
        assertThat(failed).isBetween(1, 2);
    }

    @Test
    void limitedPredicateFailsOnceSoARetriedRequestSucceeds() throws Exception {
        fake.failPublishesWhen(r -> true, Status.UNAVAILABLE, 1);
        Publisher publisher = clients.publisher("p", "events", 1, Duration.ofSeconds(5));

        ApiFuture<String> first = publisher.publish(message("a"));
        assertThatThrownBy(() -> first.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        publisher.publish(message("a")).get(30, TimeUnit.SECONDS);

        assertThat(fake.published("events")).hasSize(1);
    }

    @Test
    void publishDelayBeyondTheClientDeadlineFailsAndStoresNothing() {
        fake.publishDelay(Duration.ofSeconds(2));
        Publisher publisher = clients.publisher("p", "events", 1, Duration.ofMillis(300), 2);

        ApiFuture<String> future = publisher.publish(message("slow"));

        assertThatThrownBy(() -> future.get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(ApiException.class)
                .satisfies(e -> assertThat(((ApiException) e).getStatusCode().getCode())
                        .isEqualTo(StatusCode.Code.DEADLINE_EXCEEDED));
        assertThat(fake.publishRequestCount()).isEqualTo(2);
        // The delayed answers fire after the client gave up and must not store the message.
        fake.awaitAbandonedPublishes(2, WAIT);
        assertThat(fake.published("events")).isEmpty();
    }

    @Test
    void publishDelayWithinTheDeadlineStillSucceeds() throws Exception {
        fake.publishDelay(Duration.ofMillis(200));
        Publisher publisher = clients.publisher("p", "events", 1, Duration.ofSeconds(10));

        publisher.publish(message("slow but ok")).get(30, TimeUnit.SECONDS);

        assertThat(fake.published("events")).hasSize(1);
    }

    @Test
    void topicAdminOverGrpc() throws InterruptedException {
        ManagedChannel channel = ManagedChannelBuilder.forTarget(fake.hostPort()).usePlaintext().build();
        try {
            PublisherGrpc.PublisherBlockingStub stub = PublisherGrpc.newBlockingStub(channel);
            Topic created = stub.createTopic(Topic.newBuilder().setName("projects/p/topics/admin").build());
            assertThat(created.getName()).isEqualTo("projects/p/topics/admin");
            assertThat(stub.getTopic(GetTopicRequest.newBuilder().setTopic("projects/p/topics/admin").build()))
                    .isEqualTo(created);
            assertThatThrownBy(() -> stub.createTopic(created))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS));
            assertThatThrownBy(() -> stub.getTopic(GetTopicRequest.newBuilder().setTopic("projects/p/topics/nope")
                    .build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void withoutAutoCreatePublishingToAnUnknownTopicIsNotFound() {
        fake.autoCreateTopics(false);
        Publisher publisher = clients.publisher("p", "missing", 1, Duration.ofSeconds(5));

        ApiFuture<String> future = publisher.publish(message("x"));

        assertThatThrownBy(() -> future.get(30, TimeUnit.SECONDS))
                .cause().isInstanceOfSatisfying(ApiException.class,
                        e -> assertThat(e.getStatusCode().getCode()).isEqualTo(StatusCode.Code.NOT_FOUND));
        assertThat(fake.hasTopic("missing")).isFalse();
    }
}
