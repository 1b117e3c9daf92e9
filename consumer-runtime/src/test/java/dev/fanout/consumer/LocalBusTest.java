package dev.fanout.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.events.BusMessage;
import dev.fanout.events.port.EventPublisher;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LocalBusTest {

    private LocalBus bus;

    @AfterEach
    void close() {
        if (bus != null) {
            bus.close();
        }
    }

    private LocalBus bus(long maxBytes, Duration ackDeadline) {
        bus = new LocalBus(new LocalBus.Options(maxBytes, 100, ackDeadline, Duration.ofMillis(1), Duration.ofMillis(10)));
        return bus;
    }

    private static Delivery next(BlockingQueue<Delivery> q) throws InterruptedException {
        Delivery d = q.poll(10, TimeUnit.SECONDS);
        assertThat(d).as("a delivery within 10 s").isNotNull();
        return d;
    }

    @Test
    void everySubscriptionGetsEveryMessageAndAcksReleaseTheBytes() throws Exception {
        LocalBus b = bus(1 << 20, Duration.ofMinutes(1));
        BlockingQueue<Delivery> archive = new LinkedBlockingQueue<>();
        BlockingQueue<Delivery> alerts = new LinkedBlockingQueue<>();
        b.subscribe("archive", archive::put);
        b.subscribe("alerts", alerts::put);
        BusMessage m = TestEvents.single(TestEvents.envelope("e1"));

        String id = b.publish(m).get(10, TimeUnit.SECONDS);

        Delivery a = next(archive);
        Delivery c = next(alerts);
        assertThat(a.message().messageId()).isEqualTo(id).isEqualTo(c.message().messageId());
        assertThat(a.message().data()).isEqualTo(m.data());
        assertThat(a.message().attributes()).isEqualTo(m.attributes());
        assertThat(a.message().deliveryAttempt()).isEqualTo(1);
        assertThat(b.outstandingBytes()).isEqualTo(m.billableSize());
        a.ack();
        assertThat(b.outstandingBytes()).as("still unacked by alerts").isEqualTo(m.billableSize());
        c.ack();
        assertThat(b.outstandingBytes()).isZero();
        assertThat(b.unacked()).containsEntry("archive", 0).containsEntry("alerts", 0);
    }

    @Test
    void aNackedMessageIsRedeliveredWithTheNextAttempt() throws Exception {
        LocalBus b = bus(1 << 20, Duration.ofMinutes(1));
        BlockingQueue<Delivery> q = new LinkedBlockingQueue<>();
        b.subscribe("archive", q::put);
        b.publish(TestEvents.single(TestEvents.envelope("e1"))).get();

        Delivery first = next(q);
        first.nack();
        Delivery second = next(q);

        assertThat(second.message().messageId()).isEqualTo(first.message().messageId());
        assertThat(second.message().deliveryAttempt()).isEqualTo(2);
        second.ack();
        assertThat(b.outstandingBytes()).isZero();
    }

    @Test
    void aDeliveryNotSettledWithinTheAckDeadlineIsRedeliveredAndItsLateAckIgnored() throws Exception {
        LocalBus b = bus(1 << 20, Duration.ofMillis(100));
        BlockingQueue<Delivery> q = new LinkedBlockingQueue<>();
        b.subscribe("archive", q::put);
        b.publish(TestEvents.single(TestEvents.envelope("e1"))).get();

        Delivery first = next(q);      // never settled in time
        Delivery second = next(q);     // redelivered after the deadline
        assertThat(second.message().deliveryAttempt()).isEqualTo(2);
        first.ack();                   // too late: must not drop the redelivered attempt

        assertThat(b.outstandingBytes()).isPositive();
        assertThat(b.unacked()).containsEntry("archive", 1);
        // Acking the current attempt settles it. On a loaded machine the 100 ms deadline may pass
        // again before this thread acks (a third attempt): then the newest attempt is the current one.
        Delivery current = second;
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        current.ack();
        while (b.outstandingBytes() > 0 && System.nanoTime() < until) {
            Delivery newer = q.poll(200, TimeUnit.MILLISECONDS);
            while (newer != null) {
                current = newer;
                newer = q.poll();
            }
            current.ack();
        }
        assertThat(b.outstandingBytes()).isZero();
        assertThat(b.unacked()).containsEntry("archive", 0);
    }

    @Test
    void publishingBeyondTheByteBoundFailsWithBackpressureUntilSomethingIsAcked() throws Exception {
        BusMessage m = TestEvents.single(TestEvents.envelope("e1"));
        LocalBus b = bus(m.billableSize() * 3 / 2, Duration.ofMinutes(1));
        BlockingQueue<Delivery> q = new LinkedBlockingQueue<>();
        b.subscribe("archive", q::put);
        b.publish(m).get();

        CompletableFuture<String> refused = b.publish(TestEvents.single(TestEvents.envelope("e2")));

        assertThat(refused).isCompletedExceptionally();
        Assertions.assertThatThrownBy(refused::get).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(EventPublisher.BackpressureException.class);
        next(q).ack();
        assertThat(b.publish(TestEvents.single(TestEvents.envelope("e3"))).get(10, TimeUnit.SECONDS)).isNotBlank();
    }

    @Test
    void publishingWithoutAnySubscriptionFailsInsteadOfDropping() {
        LocalBus b = bus(1 << 20, Duration.ofMinutes(1));
        assertThat(b.publish(TestEvents.single(TestEvents.envelope("e1")))).isCompletedExceptionally();
    }

    @Test
    void endToEndThroughTwoBatchersEverySinkWritesEveryEventEvenAfterFailures() throws Exception {
        bus = new LocalBus(new LocalBus.Options(64 << 20, 100, Duration.ofMinutes(1), Duration.ofMillis(1), Duration.ofMillis(10), 3));
        LocalBus b = bus;
        RecordingSink archive = new RecordingSink("archive");
        RecordingSink flaky = new RecordingSink("flaky");
        flaky.failNext.set(2); // transient, and no retries: two batches nacked, then redelivered
        BatchPolicy policy = new BatchPolicy(50, Long.MAX_VALUE, Duration.ofMillis(20), 100, 1 << 20);
        SinkBatcher ba = new SinkBatcher(archive, policy, RetryPolicy.none(), new RecordingDeadLetters(), ConsumerMetrics.unregistered("archive"), WriteTracing.noop()).start();
        SinkBatcher bf = new SinkBatcher(flaky, policy, RetryPolicy.none(), new RecordingDeadLetters(), ConsumerMetrics.unregistered("flaky"), WriteTracing.noop()).start();
        b.subscribe("archive", ba::submit);
        b.subscribe("flaky", bf::submit);

        for (int i = 0; i < 20; i++) {
            b.publish(TestEvents.packed(TestEvents.envelopes("m" + i, 10), null)).get();
        }
        assertThat(b.awaitAllAcked(Duration.ofSeconds(20))).isTrue();

        assertThat(b.outstandingBytes()).isZero();
        assertThat(archive.writtenIds()).hasSize(200).doesNotHaveDuplicates();
        assertThat(List.copyOf(new java.util.HashSet<>(flaky.writtenIds()))).hasSize(200);
        assertThat(bf.metrics().nacked()).isPositive();
        ba.shutdown(Duration.ofSeconds(5));
        bf.shutdown(Duration.ofSeconds(5));
    }
}
