package dev.fanout.testsupport.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import com.google.pubsub.v1.PubsubMessage;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PubSubFakePushTests {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private record Push(String body, String authorization, String contentType) {
    }

    private PubSubFake fake;
    private HttpServer server;
    private final ExecutorService handlers = Executors.newCachedThreadPool();
    private final List<Push> pushes = new CopyOnWriteArrayList<>();
    private volatile IntSupplier status = () -> 204;
    private volatile CountDownLatch release;
    private volatile long handlerSleepMillis;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        fake = PubSubFake.start().pushBackoff(Duration.ofMillis(20), Duration.ofMillis(200));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(handlers);
        server.createContext("/push", exchange -> {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (handlerSleepMillis > 0) {
                try {
                    Thread.sleep(handlerSleepMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            pushes.add(new Push(new String(body, StandardCharsets.UTF_8),
                    exchange.getRequestHeaders().getFirst("Authorization"),
                    exchange.getRequestHeaders().getFirst("Content-Type")));
            CountDownLatch gate = release;
            if (gate != null) {
                try {
                    gate.await(WAIT.toSeconds(), TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            inFlight.decrementAndGet();
            exchange.sendResponseHeaders(status.getAsInt(), -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        CountDownLatch gate = release;
        if (gate != null) {
            gate.countDown();
        }
        fake.close();
        server.stop(0);
        handlers.shutdownNow();
    }

    private URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/push");
    }

    private static Struct parse(String json) throws IOException {
        Struct.Builder b = Struct.newBuilder();
        JsonFormat.parser().merge(json, b);
        return b.build();
    }

    @Test
    void serverErrorThenSuccessDeliversTwiceAndAcksOnce() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        status = () -> calls.incrementAndGet() == 1 ? 500 : 204;
        fake.createPushSubscription("p", "push", "events", endpoint(), () -> "token-123", 10);
        byte[] data = {0, 1, 2, (byte) 0xff, '\n', '"'};

        fake.publish("projects/p/topics/events", List.of(PubsubMessage.newBuilder()
                .setData(ByteString.copyFrom(data)).putAttributes("schema", "v1").putAttributes("q", "a\"b").build()));

        fake.awaitAcked("push", 1, WAIT);
        assertThat(pushes).hasSize(2);
        assertThat(fake.acked("push")).isEqualTo(1);
        assertThat(fake.nacked("push")).isEqualTo(1);
        assertThat(fake.outstanding("push")).isZero();
        assertThat(fake.pending("push")).isZero();

        PubsubMessage stored = fake.published("events").get(0);
        for (int i = 0; i < 2; i++) {
            Push push = pushes.get(i);
            assertThat(push.authorization()).isEqualTo("Bearer token-123");
            assertThat(push.contentType()).startsWith("application/json");
            Struct body = parse(push.body());
            Struct message = body.getFieldsOrThrow("message").getStructValue();
            assertThat(body.getFieldsOrThrow("subscription").getStringValue())
                    .isEqualTo("projects/p/subscriptions/push");
            assertThat(body.getFieldsOrThrow("deliveryAttempt").getNumberValue()).isEqualTo(i + 1);
            assertThat(Base64.getDecoder().decode(message.getFieldsOrThrow("data").getStringValue())).isEqualTo(data);
            assertThat(message.getFieldsOrThrow("messageId").getStringValue()).isEqualTo(stored.getMessageId());
            assertThat(message.getFieldsOrThrow("message_id").getStringValue()).isEqualTo(stored.getMessageId());
            Instant publishTime = Instant.parse(message.getFieldsOrThrow("publishTime").getStringValue());
            assertThat(publishTime.getEpochSecond()).isEqualTo(stored.getPublishTime().getSeconds());
            Struct attributes = message.getFieldsOrThrow("attributes").getStructValue();
            assertThat(attributes.getFieldsOrThrow("schema").getStringValue()).isEqualTo("v1");
            assertThat(attributes.getFieldsOrThrow("q").getStringValue()).isEqualTo("a\"b");
        }
    }

    @Test
    void withoutATokenSupplierNoAuthorizationHeaderIsSent() throws Exception {
        fake.createPushSubscription("p", "push", "events", endpoint(), null, 10);

        fake.publish("projects/p/topics/events",
                List.of(PubsubMessage.newBuilder().putAttributes("only", "attributes").build()));

        fake.awaitAcked("push", 1, WAIT);
        assertThat(pushes).singleElement().satisfies(p -> assertThat(p.authorization()).isNull());
        Struct message = parse(pushes.get(0).body()).getFieldsOrThrow("message").getStructValue();
        assertThat(message.getFieldsOrThrow("data").getStringValue()).isEmpty();
    }

    @Test
    void noAnswerWithinTheAckDeadlineIsARedelivery() throws Exception {
        release = new CountDownLatch(1);
        fake.createPushSubscription("p", "push", "events", endpoint(), null, 1);

        fake.publish("projects/p/topics/events",
                List.of(PubsubMessage.newBuilder().setData(ByteString.copyFromUtf8("x")).build()));

        // The endpoint hangs past the 1 s deadline, so the fake gives up and pushes again.
        awaitPushes(2);
        assertThat(fake.nacked("push")).isGreaterThanOrEqualTo(1);
        assertThat(parse(pushes.get(1).body()).getFieldsOrThrow("deliveryAttempt").getNumberValue())
                .isEqualTo(2);
        assertThat(fake.acked("push")).isZero();

        release.countDown();
        release = null;
        fake.awaitAcked("push", 1, WAIT);
    }

    @Test
    void severalMessagesArePushedConcurrentlyAndAllAcked() throws Exception {
        fake.createPushSubscription("p", "push", "events", endpoint(), () -> "t", 10);
        for (int i = 0; i < 20; i++) {
            fake.publish("projects/p/topics/events",
                    List.of(PubsubMessage.newBuilder().setData(ByteString.copyFromUtf8("m" + i)).build()));
        }

        fake.awaitAcked("push", 20, WAIT);
        assertThat(fake.delivered("push")).isEqualTo(20);
        assertThat(pushes).hasSize(20);
    }

    @Test
    void byDefaultPushConcurrencyGrowsWithTheBacklogLikePubSubs() throws Exception {
        // The old fake pushed at most 4 at a time, whatever the backlog (14,040 events took ~12 minutes).
        handlerSleepMillis = 20;
        fake.createPushSubscription("p", "push", "events", endpoint(), null, 10);
        for (int i = 0; i < 400; i++) {
            fake.publish("projects/p/topics/events",
                    List.of(PubsubMessage.newBuilder().setData(ByteString.copyFromUtf8("seq-" + i)).build()));
        }
        fake.awaitAcked("push", 400, WAIT);
        assertThat(pushes).hasSize(400);
        assertThat(pushes.stream().map(Push::body).distinct()).hasSize(400);
        assertThat(maxInFlight.get()).isGreaterThan(8);
    }

    @Test
    void aFixedPushConcurrencyIsNeverExceeded() throws Exception {
        handlerSleepMillis = 10;
        fake.pushConcurrency(2);
        fake.createPushSubscription("p", "push", "events", endpoint(), null, 10);
        for (int i = 0; i < 60; i++) {
            fake.publish("projects/p/topics/events",
                    List.of(PubsubMessage.newBuilder().setData(ByteString.copyFromUtf8("seq-" + i)).build()));
        }
        fake.awaitAcked("push", 60, WAIT);
        assertThat(maxInFlight.get()).isBetween(1, 2);
    }

    private void awaitPushes(int n) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (pushes.size() < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected " + n + " pushes, got " + pushes.size());
            }
            Thread.sleep(10);
        }
    }
}
