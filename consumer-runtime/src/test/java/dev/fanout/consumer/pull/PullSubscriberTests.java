package dev.fanout.consumer.pull;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.pubsub.v1.ProjectSubscriptionName;
import dev.fanout.pubsub.PubSubConnection;
import dev.fanout.consumer.BatchPolicy;
import dev.fanout.consumer.ConsumerMetrics;
import dev.fanout.consumer.FakeTopicPublisher;
import dev.fanout.consumer.RecordingDeadLetters;
import dev.fanout.consumer.RecordingSink;
import dev.fanout.consumer.RetryPolicy;
import dev.fanout.consumer.SinkBatcher;
import dev.fanout.consumer.TestEvents;
import dev.fanout.events.Envelope;
import dev.fanout.testsupport.pubsub.PubSubFake;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A consumer stopped mid-batch loses nothing: the real Subscriber against the loopback fake. */
class PullSubscriberTests {

    private static final String PROJECT = "fanout-test";
    private static final String TOPIC = "claude-events";
    private static final String SUB = "archive-pull";
    private static final PullSubscriber.Settings SETTINGS = new PullSubscriber.Settings(100, 10 << 20, 1, 2, Duration.ofMinutes(5));

    private PubSubFake fake;
    private FakeTopicPublisher publisher;

    @BeforeEach
    void start() {
        fake = PubSubFake.start();
        fake.createSubscription(PROJECT, SUB, TOPIC, 10);
        publisher = new FakeTopicPublisher(fake, PROJECT, TOPIC);
    }

    private final List<PubSubConnection> connections = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        connections.forEach(PubSubConnection::close);
        publisher.close();
        fake.close();
    }

    private static SinkBatcher batcher(RecordingSink sink, Duration maxAge) {
        return new SinkBatcher(sink, new BatchPolicy(1000, Long.MAX_VALUE, maxAge, 1000, 64 << 20),
                new RetryPolicy(Duration.ofMillis(1), Duration.ofMillis(5), 2, Duration.ofSeconds(5)),
                new RecordingDeadLetters(), ConsumerMetrics.unregistered(sink.name()), dev.fanout.consumer.WriteTracing.noop()).start();
    }

    private PullSubscriber subscribe(SinkBatcher b) {
        return subscribe(b, SUB, SETTINGS);
    }

    private PullSubscriber subscribe(SinkBatcher b, String sub, PullSubscriber.Settings settings) {
        connections.add(PubSubConnection.emulator(PROJECT, fake.hostPort()));
        return PullSubscriber.start(b, ProjectSubscriptionName.of(PROJECT, sub), settings, connections.get(connections.size() - 1));
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(condition.getAsBoolean()).as(what).isTrue();
    }

    private List<String> publish(String prefix, int messages, int perMessage) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < messages; i++) {
            List<Envelope> es = TestEvents.envelopes(prefix + i, perMessage);
            publisher.publish(TestEvents.packed(es, null));
            es.forEach(e -> ids.add(e.id()));
        }
        return ids;
    }

    @Test
    void aConsumerStoppedMidWriteNacksAndASuccessorWritesEveryEvent() throws Exception {
        // A nack can be redelivered into the first stream just before it closes; the real service
        // would then hold that lease until the stream's 60 s deadline. Releasing leases on stream
        // close keeps this test about "nothing lost", not about that wait.
        fake.redeliverOnStreamClose(true);
        CountDownLatch inWrite = new CountDownLatch(1);
        RecordingSink hanging = new RecordingSink("archive") {
            @Override
            protected void beforeWrite(List<Envelope> events) throws Exception {
                inWrite.countDown();
                new CountDownLatch(1).await(); // a destination that never answers
            }
        };
        SinkBatcher first = batcher(hanging, Duration.ofMillis(200));
        PullSubscriber firstSub = subscribe(first);
        List<String> expected = publish("s", 6, 5);
        assertThat(inWrite.await(20, TimeUnit.SECONDS)).isTrue();
        assertThat(fake.acked(SUB)).isZero();

        // Shutdown cannot finish the hanging write: it is interrupted and everything held is nacked.
        assertThat(first.shutdown(Duration.ofMillis(200))).isFalse();
        firstSub.stop(Duration.ofSeconds(5));
        assertThat(fake.acked(SUB)).isZero();

        RecordingSink good = new RecordingSink("archive");
        SinkBatcher second = batcher(good, Duration.ofMillis(50));
        PullSubscriber secondSub = subscribe(second);
        try {
            fake.awaitAcked(SUB, 6, Duration.ofSeconds(30));
            assertThat(new HashSet<>(good.writtenIds())).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(hanging.batches).isEmpty();
        } finally {
            second.shutdown(Duration.ofSeconds(5));
            secondSub.stop(Duration.ofSeconds(5));
        }
    }

    @Test
    void aGracefulStopWritesThePartialBatchBeforeAcking() throws Exception {
        RecordingSink sink = new RecordingSink("archive");
        SinkBatcher b = batcher(sink, Duration.ofHours(1)); // only shutdown can flush
        PullSubscriber s = subscribe(b);
        List<String> expected = publish("g", 4, 3);
        // The backlog counts messages once they are queued (received is counted before decoding,
        // so polling it raced with the enqueue and the stop could refuse the last message).
        await(() -> b.backlog() == 4, "every message queued");
        assertThat(sink.batches).isEmpty();

        assertThat(b.shutdown(Duration.ofSeconds(10))).isTrue();
        s.stop(Duration.ofSeconds(5));

        assertThat(sink.writtenIds()).containsExactlyInAnyOrderElementsOf(expected);
        fake.awaitAcked(SUB, 4, Duration.ofSeconds(10));
        assertThat(fake.nacked(SUB)).isZero();
    }

    /** A subscriber that fails (here: its subscription does not exist yet) is started again with backoff. */
    @Test
    void aFailedSubscriberIsRestartedWithBackoffAndReportsWhyMeanwhile() throws Exception {
        RecordingSink sink = new RecordingSink("archive");
        SinkBatcher b = batcher(sink, Duration.ofMillis(50));
        PullSubscriber.Settings quick = new PullSubscriber.Settings(100, 10 << 20, 1, 2, Duration.ofMinutes(5),
                Duration.ofMillis(50), Duration.ofMillis(200));
        PullSubscriber s = subscribe(b, "late-sub", quick);
        try {
            await(() -> s.problem() != null && s.problem().contains("NOT_FOUND") || s.restarts() > 0, "the failure is reported");
            assertThat(s.running()).isFalse();

            fake.createSubscription(PROJECT, "late-sub", TOPIC, 10);
            List<String> expected = publish("r", 3, 2);
            fake.awaitAcked("late-sub", 3, Duration.ofSeconds(30));

            assertThat(s.restarts()).isPositive();
            assertThat(s.running()).isTrue();
            assertThat(s.problem()).isNull();
            assertThat(new HashSet<>(sink.writtenIds())).containsExactlyInAnyOrderElementsOf(expected);
        } finally {
            b.shutdown(Duration.ofSeconds(5));
            s.stop(Duration.ofSeconds(5));
        }
    }

    /**
     * Shutdown stops intake first: what the stream delivers while the last batch is written is
     * held, never nacked, and a successor writes it.
     */
    @Test
    void shutdownStopsIntakeAndNacksNothing() throws Exception {
        CountDownLatch inWrite = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        RecordingSink slow = new RecordingSink("archive") {
            @Override
            protected void beforeWrite(List<Envelope> events) throws Exception {
                inWrite.countDown();
                release.await();
            }
        };
        // A queue of one message: the rest of what was published waits in the receiver or the stream.
        SinkBatcher first = new SinkBatcher(slow, new BatchPolicy(1, Long.MAX_VALUE, Duration.ofMillis(20), 1, 64 << 20),
                new RetryPolicy(Duration.ofMillis(1), Duration.ofMillis(5), 2, Duration.ofSeconds(5)),
                new RecordingDeadLetters(), ConsumerMetrics.unregistered("archive"), dev.fanout.consumer.WriteTracing.noop()).start();
        PullSubscriber firstSub = subscribe(first);
        List<String> expected = publish("h", 8, 2);
        assertThat(inWrite.await(20, TimeUnit.SECONDS)).isTrue();

        fake.redeliverOnStreamClose(true); // held leases go back when the stream closes, not after 10 s
        first.stopIntake();
        release.countDown();
        assertThat(first.shutdown(Duration.ofSeconds(10))).isTrue();
        firstSub.stop(Duration.ofSeconds(10));
        assertThat(fake.nacked(SUB)).isZero();
        assertThat(first.metrics().nacked()).isZero();

        RecordingSink good = new RecordingSink("archive");
        SinkBatcher second = batcher(good, Duration.ofMillis(50));
        PullSubscriber secondSub = subscribe(second);
        try {
            fake.awaitAcked(SUB, 8, Duration.ofSeconds(60));
            List<String> all = new ArrayList<>(slow.writtenIds());
            all.addAll(good.writtenIds());
            assertThat(new HashSet<>(all)).containsExactlyInAnyOrderElementsOf(expected);
        } finally {
            second.shutdown(Duration.ofSeconds(5));
            secondSub.stop(Duration.ofSeconds(5));
        }
    }
}
