package dev.fanout.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.events.Envelope;
import dev.fanout.events.ReceivedMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SinkBatcherTest {

    private static final Duration LONG = Duration.ofHours(1);
    private static final RetryPolicy FAST_RETRY = new RetryPolicy(Duration.ofMillis(1), Duration.ofMillis(5), 4, Duration.ofSeconds(30));

    private final List<SinkBatcher> started = new ArrayList<>();
    private final RecordingDeadLetters deadLetters = new RecordingDeadLetters();

    @AfterEach
    void stopAll() {
        for (SinkBatcher b : started) {
            b.shutdown(Duration.ofSeconds(5));
        }
    }

    private SinkBatcher batcher(RecordingSink sink, BatchPolicy policy, RetryPolicy retry) {
        SinkBatcher b = new SinkBatcher(sink, policy, retry, deadLetters, ConsumerMetrics.unregistered(sink.name()), WriteTracing.noop()).start();
        started.add(b);
        return b;
    }

    private static BatchPolicy policy(int maxEvents, long maxBytes, Duration maxAge) {
        return new BatchPolicy(maxEvents, maxBytes, maxAge, 100, 64L << 20);
    }

    /** A sink that refuses replayed messages by their attributes. */
    private static RecordingSink refusingReplays() {
        return new RecordingSink("s") {
            @Override
            public boolean wants(java.util.Map<String, String> attributes) {
                return !attributes.containsKey(dev.fanout.events.Attributes.REPLAY);
            }
        };
    }

    /** {@code attributes} with the replay marker of run {@code run-1}. */
    private static java.util.Map<String, String> replayed(java.util.Map<String, String> attributes) {
        java.util.Map<String, String> m = new java.util.HashMap<>(attributes);
        m.put(dev.fanout.events.Attributes.REPLAY, "run-1");
        return m;
    }

    private static Delivery.Outcome outcome(Delivery d) throws Exception {
        return d.outcome().get(10, TimeUnit.SECONDS);
    }

    /** Counters are bumped right after a delivery settles, on the writer thread: wait for them. */
    private static double settledCount(java.util.function.DoubleSupplier counter, double expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        double v = counter.getAsDouble();
        while (v != expected && System.nanoTime() < deadline) {
            Thread.sleep(5);
            v = counter.getAsDouble();
        }
        return v;
    }

    @Test
    void flushesWhenTheEventCountIsReachedAndAcksAfterTheWrite() throws Exception {
        RecordingSink sink = new RecordingSink("s");
        SinkBatcher b = batcher(sink, policy(5, Long.MAX_VALUE, LONG), FAST_RETRY);
        Delivery d1 = Delivery.of(TestEvents.received("a", 2));
        Delivery d2 = Delivery.of(TestEvents.received("b", 3));
        assertThat(b.submit(d1)).isTrue();
        assertThat(b.submit(d2)).isTrue();

        assertThat(outcome(d1)).isEqualTo(Delivery.Outcome.ACKED);
        assertThat(outcome(d2)).isEqualTo(Delivery.Outcome.ACKED);
        assertThat(sink.batches).hasSize(1);
        assertThat(sink.writtenIds()).containsExactly("a-0", "a-1", "b-0", "b-1", "b-2");
        assertThat(b.metrics().written()).isEqualTo(5);
        assertThat(settledCount(b.metrics()::acked, 2)).isEqualTo(2);
    }

    @Test
    void aMessageTheSinkDoesNotWantIsAckedWithoutBeingDecodedOrWritten() throws Exception {
        RecordingSink sink = refusingReplays();
        SinkBatcher b = batcher(sink, policy(3, Long.MAX_VALUE, Duration.ofMillis(50)), FAST_RETRY);
        // Garbage data: were it decoded, it would be dead-lettered as undecodable.
        ReceivedMessage bad = TestEvents.undecodable();
        java.util.Map<String, String> replayed = replayed(bad.attributes());
        Delivery skipped = Delivery.of(new ReceivedMessage("r1", bad.data(), replayed, java.time.Instant.now(), 1));
        Delivery live = Delivery.of(TestEvents.received("a", 3));
        b.submit(skipped);
        b.submit(live);

        assertThat(outcome(skipped)).isEqualTo(Delivery.Outcome.ACKED);
        assertThat(outcome(live)).isEqualTo(Delivery.Outcome.ACKED);
        assertThat(sink.writtenIds()).containsExactly("a-0", "a-1", "a-2");
        assertThat(deadLetters.kept).isEmpty();
        assertThat(b.metrics().skipped()).isEqualTo(1);
        assertThat(settledCount(b.metrics()::acked, 2)).isEqualTo(2);

        // Alone, it is settled by the batch age like any other message.
        Delivery alone = Delivery.of(new ReceivedMessage("r2", bad.data(), replayed, java.time.Instant.now(), 1));
        b.submit(alone);
        assertThat(outcome(alone)).isEqualTo(Delivery.Outcome.ACKED);
        assertThat(sink.writeCalls.get()).isEqualTo(1);
        assertThat(b.metrics().skipped()).isEqualTo(2);
    }

    @Test
    void aBusAskingFirstLearnsWhichMessagesTheSinkRefusesAndTheyCountAsSkippedAndAcked() throws Exception {
        RecordingSink sink = refusingReplays();
        SinkBatcher b = batcher(sink, policy(1000, Long.MAX_VALUE, LONG), FAST_RETRY);
        java.util.Map<String, String> replayed = replayed(TestEvents.received("x", 1).attributes());
        assertThat(b.takesMessage(replayed)).isFalse();
        assertThat(b.takesMessage(TestEvents.received("y", 1).attributes())).isTrue();
        assertThat(b.metrics().skipped()).isEqualTo(1);
        assertThat(b.metrics().acked()).isEqualTo(1);
        assertThat(sink.writeCalls.get()).isZero();
    }

    @Test
    void aSkippedMessageWithNothingBeforeItIsAckedAtOnceNotHeldForTheBatchAge() throws Exception {
        RecordingSink sink = refusingReplays();
        // A batch age far beyond the outcome wait: only the immediate ack can settle it in time.
        SinkBatcher b = batcher(sink, policy(1000, Long.MAX_VALUE, LONG), FAST_RETRY);
        java.util.Map<String, String> replayed = replayed(TestEvents.received("x", 1).attributes());
        Delivery first = Delivery.of(new ReceivedMessage("r1", TestEvents.received("x", 1).data(), replayed, java.time.Instant.now(), 1));
        Delivery second = Delivery.of(new ReceivedMessage("r2", TestEvents.received("y", 1).data(), replayed, java.time.Instant.now(), 1));
        b.submit(first);
        b.submit(second);
        assertThat(outcome(first)).isEqualTo(Delivery.Outcome.ACKED);
        assertThat(outcome(second)).isEqualTo(Delivery.Outcome.ACKED);
        assertThat(b.metrics().skipped()).isEqualTo(2);
        assertThat(sink.writeCalls.get()).isZero();

        // Behind a live message, a skipped one waits for that batch: acks keep their order.
        Delivery live = Delivery.of(TestEvents.received("a", 2));
        Delivery behind = Delivery.of(new ReceivedMessage("r3", TestEvents.received("z", 1).data(), replayed, java.time.Instant.now(), 1));
        b.submit(live);
        b.submit(behind);
        Thread.sleep(200);
        assertThat(behind.outcome()).isNotDone();
        assertThat(live.outcome()).isNotDone();
    }

    @Test
    void aMessageThatWouldOverflowTheBatchStartsTheNextOne() throws Exception {
        RecordingSink sink = new RecordingSink("s");
        SinkBatcher b = batcher(sink, policy(4, Long.MAX_VALUE, LONG), FAST_RETRY);
        Delivery d1 = Delivery.of(TestEvents.received("a", 3));
        Delivery d2 = Delivery.of(TestEvents.received("b", 3));
        Delivery d3 = Delivery.of(TestEvents.received("c", 1));
        b.submit(d1);
        b.submit(d2);
        b.submit(d3);

        assertThat(outcome(d1)).isEqualTo(Delivery.Outcome.ACKED);
        assertThat(outcome(d3)).isEqualTo(Delivery.Outcome.ACKED);
        assertThat(sink.batches).extracting(List::size).containsExactly(3, 4);
    }

    @Test
    void flushesWhenTheByteBoundIsReached() throws Exception {
        RecordingSink sink = new RecordingSink("s");
        ReceivedMessage m1 = TestEvents.received("a", 1);
        ReceivedMessage m2 = TestEvents.received("b", 1);
        SinkBatcher b = batcher(sink, policy(1000, m1.data().length + m2.data().length, LONG), FAST_RETRY);
        Delivery d1 = Delivery.of(m1);
        Delivery d2 = Delivery.of(m2);
        b.submit(d1);
        assertThat(d1.outcome()).isNotDone();
        b.submit(d2);

        assertThat(outcome(d2)).isEqualTo(Delivery.Outcome.ACKED);
        assertThat(sink.batches).hasSize(1);
        assertThat(sink.writtenIds()).containsExactly("a-0", "b-0");
    }

    @Test
    void flushesAPartialBatchWhenItsOldestMessageReachesMaxAge() throws Exception {
        RecordingSink sink = new RecordingSink("s");
        SinkBatcher b = batcher(sink, policy(1000, Long.MAX_VALUE, Duration.ofMillis(50)), FAST_RETRY);
        Delivery d = Delivery.of(TestEvents.received("a", 2));
        b.submit(d);

        assertThat(outcome(d)).isEqualTo(Delivery.Outcome.ACKED);
        assertThat(sink.writtenIds()).containsExactly("a-0", "a-1");
        assertThat(b.metrics().batches()).isEqualTo(1);
    }

    @Test
    void retriesTransientFailuresThenAcks() throws Exception {
        RecordingSink sink = new RecordingSink("s");
        sink.failNext.set(2);
        SinkBatcher b = batcher(sink, policy(1, Long.MAX_VALUE, LONG), FAST_RETRY);
        Delivery d = Delivery.of(TestEvents.received("a", 1));
        b.submit(d);

        assertThat(outcome(d)).isEqualTo(Delivery.Outcome.ACKED);
        assertThat(sink.writeCalls.get()).isEqualTo(3);
        assertThat(b.metrics().retries()).isEqualTo(2);
        assertThat(sink.writtenIds()).containsExactly("a-0");
    }

    /**
     * A permanent failure of every record, alone or together, is the destination's (credentials, a
     * missing table), not the data's: nothing is dead-lettered, every message is nacked, no retry.
     */
    @Test
    void aPermanentFailureOfEveryRecordNacksEveryMessageAndDeadLettersNothing() throws Exception {
        RecordingSink sink = new RecordingSink("s");
        sink.failNext.set(100);
        sink.permanent = true;
        SinkBatcher b = batcher(sink, policy(3, Long.MAX_VALUE, LONG), FAST_RETRY);
        Delivery d1 = Delivery.of(TestEvents.received("a", 1));
        Delivery d2 = Delivery.of(TestEvents.received("b", 2));
        b.submit(d1);
        b.submit(d2);

        assertThat(outcome(d1)).isEqualTo(Delivery.Outcome.NACKED);
        assertThat(outcome(d2)).isEqualTo(Delivery.Outcome.NACKED);
        assertThat(b.metrics().retries()).isZero();
        assertThat(settledCount(b.metrics()::nacked, 2)).isEqualTo(2);
        assertThat(b.metrics().acked()).isZero();
        assertThat(deadLetters.kept).isEmpty();
        assertThat(b.lastFailure()).contains("scripted write failure");
    }

    @Test
    void transientFailuresStopAtMaxAttemptsAndNack() throws Exception {
        RecordingSink sink = new RecordingSink("s");
        sink.failNext.set(100);
        SinkBatcher b = batcher(sink, policy(1, Long.MAX_VALUE, LONG), FAST_RETRY);
        Delivery d = Delivery.of(TestEvents.received("a", 1));
        b.submit(d);

        assertThat(outcome(d)).isEqualTo(Delivery.Outcome.NACKED);
        assertThat(sink.writeCalls.get()).isEqualTo(FAST_RETRY.maxAttempts());
    }

    @Test
    void retriesStopWhenTheTotalTimeBudgetWouldBeExceeded() throws Exception {
        RecordingSink sink = new RecordingSink("s");
        sink.failNext.set(100);
        // The first retry delay (>= 5 s) already exceeds the 1 s budget: one attempt only.
        RetryPolicy budget = new RetryPolicy(Duration.ofSeconds(10), Duration.ofSeconds(10), 10, Duration.ofSeconds(1));
        SinkBatcher b = batcher(sink, policy(1, Long.MAX_VALUE, LONG), budget);
        Delivery d = Delivery.of(TestEvents.received("a", 1));
        b.submit(d);

        assertThat(outcome(d)).isEqualTo(Delivery.Outcome.NACKED);
        assertThat(sink.writeCalls.get()).isEqualTo(1);
    }

    @Test
    void neverAcksBeforeTheWriteReturned() throws Exception {
        CountDownLatch inWrite = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        RecordingSink sink = new RecordingSink("s") {
            @Override
            protected void beforeWrite(List<Envelope> events) throws Exception {
                inWrite.countDown();
                release.await();
            }
        };
        SinkBatcher b = batcher(sink, policy(2, Long.MAX_VALUE, LONG), FAST_RETRY);
        Delivery d1 = Delivery.of(TestEvents.received("a", 1));
        Delivery d2 = Delivery.of(TestEvents.received("b", 1));
        b.submit(d1);
        b.submit(d2);

        assertThat(inWrite.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(d1.settled()).isFalse();
        assertThat(d2.settled()).isFalse();
        assertThat(sink.batches).isEmpty();
        release.countDown();
        assertThat(outcome(d1)).isEqualTo(Delivery.Outcome.ACKED);
        assertThat(outcome(d2)).isEqualTo(Delivery.Outcome.ACKED);
        assertThat(sink.batches).hasSize(1);
    }

    @Test
    void writesOfOneSinkNeverOverlap() throws Exception {
        java.util.concurrent.atomic.AtomicInteger inside = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger maxInside = new java.util.concurrent.atomic.AtomicInteger();
        RecordingSink sink = new RecordingSink("s") {
            @Override
            protected void beforeWrite(List<Envelope> events) {
                maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                Thread.yield();
                inside.decrementAndGet();
            }
        };
        SinkBatcher b = batcher(sink, policy(1, Long.MAX_VALUE, LONG), FAST_RETRY);
        List<Delivery> ds = new ArrayList<>();
        Thread[] producers = new Thread[4];
        for (int t = 0; t < producers.length; t++) {
            int tt = t;
            producers[t] = new Thread(() -> {
                for (int i = 0; i < 25; i++) {
                    Delivery d = Delivery.of(TestEvents.received("t" + tt + "m" + i, 1));
                    synchronized (ds) {
                        ds.add(d);
                    }
                    try {
                        b.submit(d);
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            producers[t].start();
        }
        for (Thread p : producers) {
            p.join();
        }
        for (Delivery d : ds) {
            assertThat(outcome(d)).isEqualTo(Delivery.Outcome.ACKED);
        }
        assertThat(sink.writtenIds()).hasSize(100).doesNotHaveDuplicates();
        assertThat(maxInside.get()).isEqualTo(1);
    }

    @Test
    void anUndecodableMessageIsDeadLetteredAsReceivedThenAckedAndCounted() throws Exception {
        RecordingSink sink = new RecordingSink("s");
        SinkBatcher b = batcher(sink, policy(1000, Long.MAX_VALUE, Duration.ofMillis(20)), FAST_RETRY);
        ReceivedMessage bad = TestEvents.undecodable();
        Delivery d = Delivery.of(bad);
        b.submit(d);

        assertThat(outcome(d)).isEqualTo(Delivery.Outcome.ACKED);
        assertThat(deadLetters.kept).singleElement().satisfies(l -> {
            assertThat(l.kind()).isEqualTo("message");
            assertThat(l.message().data()).isEqualTo(bad.data());
            assertThat(l.message().messageId()).isEqualTo(bad.messageId());
            assertThat(l.sink()).isEqualTo("s");
            assertThat(l.reason()).isNotBlank();
        });
        assertThat(sink.writeCalls.get()).isZero();
        assertThat(settledCount(b.metrics()::deadLetteredMessages, 1)).isEqualTo(1);
    }

    @Test
    void anUndecodableMessageWhoseDeadLetterCannotBeWrittenIsNacked() throws Exception {
        RecordingSink sink = new RecordingSink("s");
        deadLetters.failing = true;
        SinkBatcher b = batcher(sink, policy(1000, Long.MAX_VALUE, Duration.ofMillis(20)), FAST_RETRY);
        Delivery d = Delivery.of(TestEvents.undecodable());
        b.submit(d);

        assertThat(outcome(d)).isEqualTo(Delivery.Outcome.NACKED);
        assertThat(b.metrics().deadLettered()).isZero();
        assertThat(deadLetters.writes.get()).as("transient store failures are retried").isEqualTo(FAST_RETRY.maxAttempts());
    }

    // ---------------------------------------------------------------- per-record outcomes

    @Test
    void oneRejectedRecordIsDeadLetteredTheOthersDeliveredAndEveryMessageAcked() throws Exception {
        RecordingSink sink = new RecordingSink("s");
        sink.rejectIds.add("a-1");
        SinkBatcher b = batcher(sink, policy(5, Long.MAX_VALUE, LONG), FAST_RETRY);
        Delivery d1 = Delivery.of(TestEvents.received("a", 3));
        Delivery d2 = Delivery.of(TestEvents.received("b", 2));
        b.submit(d1);
        b.submit(d2);

        assertThat(outcome(d1)).isEqualTo(Delivery.Outcome.ACKED);
        assertThat(outcome(d2)).isEqualTo(Delivery.Outcome.ACKED);
        assertThat(sink.writtenIds()).containsExactly("a-0", "a-2", "b-0", "b-1");
        assertThat(deadLetters.kept).singleElement().satisfies(l -> {
            assertThat(l.event().id()).isEqualTo("a-1");
            assertThat(l.reason()).isEqualTo("refused: a-1");
            assertThat(l.message().messageId()).isEqualTo(d1.message().messageId());
            assertThat(l.kind()).isEqualTo("event");
        });
        assertThat(sink.writeCalls.get()).as("a rejection is not retried").isEqualTo(1);
        assertThat(b.metrics().written()).isEqualTo(4);
        assertThat(settledCount(b.metrics()::acked, 2)).isEqualTo(2);
        assertThat(b.metrics().nacked()).isZero();
        assertThat(b.metrics().deadLetteredEvents()).isEqualTo(1);
    }

    @Test
    void aWholeBatchPermanentFailureIsBisectedToTheBadRecord() throws Exception {
        RecordingSink sink = new RecordingSink("s");
        sink.poisonIds.add("c-5");
        SinkBatcher b = batcher(sink, policy(16, Long.MAX_VALUE, LONG), FAST_RETRY);
        List<Delivery> ds = new ArrayList<>();
        for (String p : List.of("a", "b", "c", "d")) {
            Delivery d = Delivery.of(TestEvents.received(p, 4 + (p.equals("c") ? 2 : 0) - (p.equals("d") ? 2 : 0)));
            ds.add(d);
            b.submit(d);
        }

        for (Delivery d : ds) {
            assertThat(outcome(d)).isEqualTo(Delivery.Outcome.ACKED);
        }
        assertThat(deadLetters.eventIds()).containsExactly("c-5");
        assertThat(sink.writtenIds()).hasSize(15).doesNotContain("c-5").doesNotHaveDuplicates();
        assertThat(b.metrics().bisections()).isPositive();
        // Bisection halves: no more than 2 * log2(16) + 1 failing calls plus the good halves.
        assertThat(sink.writeCalls.get()).isLessThanOrEqualTo(1 + 2 * 4 + 4);
        assertThat(b.metrics().retries()).isZero();
    }

    @Test
    void recordsAnsweredRetryAreWrittenAgainAndTheirMessageIsNotAckedBeforeThen() throws Exception {
        java.util.concurrent.atomic.AtomicReference<Delivery> watched = new java.util.concurrent.atomic.AtomicReference<>();
        List<Boolean> settledAtCall = new java.util.concurrent.CopyOnWriteArrayList<>();
        RecordingSink sink = new RecordingSink("s") {
            @Override
            protected void beforeWrite(List<Envelope> events) {
                settledAtCall.add(watched.get().settled());
            }
        };
        sink.retryIds.put("a-1", new java.util.concurrent.atomic.AtomicInteger(2));
        SinkBatcher b = batcher(sink, policy(3, Long.MAX_VALUE, LONG), FAST_RETRY);
        Delivery d = Delivery.of(TestEvents.received("a", 3));
        watched.set(d);
        b.submit(d);

        assertThat(outcome(d)).isEqualTo(Delivery.Outcome.ACKED);
        assertThat(sink.writeSizes).as("only the record answered retry is written again").containsExactly(3, 1, 1);
        assertThat(settledAtCall).containsExactly(false, false, false);
        assertThat(sink.writtenIds()).containsExactlyInAnyOrder("a-0", "a-1", "a-2");
        assertThat(b.metrics().retries()).isEqualTo(2);
        assertThat(deadLetters.kept).isEmpty();
    }

    @Test
    void aRecordStillAnsweredRetryWhenRetriesRunOutNacksItsMessageOnly() throws Exception {
        RecordingSink sink = new RecordingSink("s");
        sink.retryIds.put("a-0", new java.util.concurrent.atomic.AtomicInteger(1000));
        SinkBatcher b = batcher(sink, policy(2, Long.MAX_VALUE, LONG), FAST_RETRY);
        Delivery d1 = Delivery.of(TestEvents.received("a", 1));
        Delivery d2 = Delivery.of(TestEvents.received("b", 1));
        b.submit(d1);
        b.submit(d2);

        assertThat(outcome(d1)).isEqualTo(Delivery.Outcome.NACKED);
        assertThat(outcome(d2)).isEqualTo(Delivery.Outcome.ACKED);
        assertThat(sink.writeCalls.get()).isEqualTo(FAST_RETRY.maxAttempts());
        assertThat(deadLetters.kept).isEmpty();
    }

    @Test
    void aDeadLetterStoreFailureNacksAndAcksNothing() throws Exception {
        RecordingSink sink = new RecordingSink("s");
        sink.rejectIds.add("a-1");
        deadLetters.failing = true;
        SinkBatcher b = batcher(sink, policy(3, Long.MAX_VALUE, LONG), FAST_RETRY);
        Delivery d = Delivery.of(TestEvents.received("a", 3));
        b.submit(d);

        assertThat(outcome(d)).isEqualTo(Delivery.Outcome.NACKED);
        assertThat(b.metrics().acked()).isZero();
        assertThat(b.metrics().deadLettered()).isZero();
        assertThat(b.lastFailure()).contains("dead-letter");
    }

    @Test
    void everyWriteGetsADeadline() throws Exception {
        RecordingSink sink = new RecordingSink("s");
        BatchPolicy p = new BatchPolicy(1, Long.MAX_VALUE, LONG, 100, 64L << 20, 1, Duration.ofSeconds(7));
        SinkBatcher b = batcher(sink, p, FAST_RETRY);
        Delivery d = Delivery.of(TestEvents.received("a", 1));
        b.submit(d);

        assertThat(outcome(d)).isEqualTo(Delivery.Outcome.ACKED);
        assertThat(sink.nanosLeftAtCall).singleElement()
                .satisfies(left -> assertThat(left).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(7).toNanos()));
    }

    /** Pub/Sub is already waiting for a redelivered message: its batch does not wait for max-age. */
    @Test
    void aRedeliveredMessageIsWrittenWithoutWaitingForMaxAge() throws Exception {
        RecordingSink sink = new RecordingSink("s");
        SinkBatcher b = batcher(sink, policy(1000, Long.MAX_VALUE, LONG), FAST_RETRY);
        ReceivedMessage first = TestEvents.received("a", 2);
        ReceivedMessage again = new ReceivedMessage(first.messageId(), first.data(), first.attributes(), java.time.Instant.now(), 2);
        Delivery fresh = Delivery.of(TestEvents.received("f", 1));
        b.submit(fresh);
        Thread.sleep(50);
        assertThat(fresh.settled()).as("a first delivery waits for max-age (an hour)").isFalse();
        Delivery d = Delivery.of(again);
        b.submit(d);

        assertThat(outcome(d)).isEqualTo(Delivery.Outcome.ACKED);
        assertThat(outcome(fresh)).isEqualTo(Delivery.Outcome.ACKED);
    }

    @Test
    void aMessagePublishedLongerAgoThanMaxAgeIsWrittenPromptly() throws Exception {
        RecordingSink sink = new RecordingSink("s");
        SinkBatcher b = batcher(sink, policy(1000, Long.MAX_VALUE, Duration.ofMinutes(5)), FAST_RETRY);
        ReceivedMessage m = TestEvents.received("a", 1);
        ReceivedMessage old = new ReceivedMessage(m.messageId(), m.data(), m.attributes(), java.time.Instant.now().minusSeconds(600), 0);
        Delivery d = Delivery.of(old);
        b.submit(d);

        assertThat(outcome(d)).isEqualTo(Delivery.Outcome.ACKED);
    }

    @Test
    void anIdTwiceInOneBatchCountsOnceAsWritten() throws Exception {
        RecordingSink sink = new RecordingSink("s");
        SinkBatcher b = batcher(sink, policy(4, Long.MAX_VALUE, LONG), FAST_RETRY);
        ReceivedMessage m = TestEvents.received("a", 2);
        Delivery d1 = Delivery.of(m);
        Delivery d2 = Delivery.of(new ReceivedMessage(m.messageId() + "-again", m.data(), m.attributes(), m.publishTime(), 1));
        b.submit(d1);
        b.submit(d2);

        assertThat(outcome(d2)).isEqualTo(Delivery.Outcome.ACKED);
        assertThat(b.metrics().written()).isEqualTo(2);
    }

    @Test
    void severalWritersWriteAtTheSameTime() throws Exception {
        CountDownLatch bothInside = new CountDownLatch(2);
        RecordingSink sink = new RecordingSink("s") {
            @Override
            protected void beforeWrite(List<Envelope> events) throws Exception {
                bothInside.countDown();
                bothInside.await(10, TimeUnit.SECONDS);
            }
        };
        BatchPolicy p = new BatchPolicy(1, Long.MAX_VALUE, LONG, 100, 64L << 20, 2, Duration.ofSeconds(30));
        SinkBatcher b = batcher(sink, p, FAST_RETRY);
        Delivery d1 = Delivery.of(TestEvents.received("a", 1));
        Delivery d2 = Delivery.of(TestEvents.received("b", 1));
        b.submit(d1);
        b.submit(d2);

        assertThat(bothInside.await(10, TimeUnit.SECONDS)).as("two writes in progress at once").isTrue();
        assertThat(outcome(d1)).isEqualTo(Delivery.Outcome.ACKED);
        assertThat(outcome(d2)).isEqualTo(Delivery.Outcome.ACKED);
    }

    // ---------------------------------------------------------------- memory

    /**
     * The queue counts decoded bytes: a packed message whose JSON fills the bound leaves no room,
     * however small it was on the wire.
     */
    @Test
    void theQueueIsBoundedInDecodedBytesNotWireBytes() throws Exception {
        CountDownLatch inWrite = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        RecordingSink sink = new RecordingSink("s") {
            @Override
            protected void beforeWrite(List<Envelope> events) throws Exception {
                inWrite.countDown();
                release.await();
            }
        };
        ReceivedMessage packed = TestEvents.received("big", 500);
        long decoded = dev.fanout.events.MessageDecoder.decodeMeasured(packed.data(), packed.attributes()).jsonBytes();
        ReceivedMessage small = TestEvents.received("small", 1);
        assertThat((long) packed.data().length + small.data().length).as("both fit the bound on the wire").isLessThan(decoded);
        SinkBatcher b = batcher(sink, new BatchPolicy(1, Long.MAX_VALUE, LONG, 100, decoded), FAST_RETRY);
        Delivery writing = Delivery.of(TestEvents.received("w", 1));
        assertThat(b.offer(writing)).isTrue();
        assertThat(inWrite.await(10, TimeUnit.SECONDS)).isTrue();
        Delivery big = Delivery.of(packed);
        assertThat(b.offer(big)).as("an empty queue takes any one message").isTrue();
        Delivery refused = Delivery.of(small);

        assertThat(b.offer(refused)).isFalse();

        assertThat(refused.outcome()).isCompletedWithValue(Delivery.Outcome.NACKED);
        release.countDown();
        assertThat(outcome(big)).isEqualTo(Delivery.Outcome.ACKED);
    }

    /** Admission happens before decoding: a refused message is never inflated. */
    @Test
    void aGzipMessageIsAdmittedOnAnEstimateBeforeItIsDecoded() throws Exception {
        CountDownLatch inWrite = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        RecordingSink sink = new RecordingSink("s") {
            @Override
            protected void beforeWrite(List<Envelope> events) throws Exception {
                inWrite.countDown();
                release.await();
            }
        };
        ReceivedMessage packed = TestEvents.received("big", 200);
        SinkBatcher b = batcher(sink, new BatchPolicy(1, Long.MAX_VALUE, LONG, 100,
                (long) packed.data().length * SinkBatcher.EXPECTED_GZIP_RATIO - 1), FAST_RETRY);
        Delivery writing = Delivery.of(TestEvents.received("w", 1));
        b.offer(writing);
        assertThat(inWrite.await(10, TimeUnit.SECONDS)).isTrue();
        Delivery queued = Delivery.of(TestEvents.received("q", 1));
        assertThat(b.offer(queued)).isTrue();
        double receivedBefore = b.metrics().received();

        assertThat(b.offer(Delivery.of(packed))).isFalse();

        assertThat(b.metrics().received()).as("never handed to the decoder").isEqualTo(receivedBefore);
        release.countDown();
        assertThat(outcome(queued)).isEqualTo(Delivery.Outcome.ACKED);
    }

    // ---------------------------------------------------------------- shutdown

    @Test
    void afterIntakeStopsASubmittedMessageIsHeldNotNacked() throws Exception {
        RecordingSink sink = new RecordingSink("s");
        SinkBatcher b = batcher(sink, policy(1000, Long.MAX_VALUE, LONG), FAST_RETRY);
        Delivery accepted = Delivery.of(TestEvents.received("a", 1));
        b.submit(accepted);
        b.stopIntake();
        Delivery late = Delivery.of(TestEvents.received("late", 1));

        assertThat(b.submit(late)).isFalse();

        assertThat(late.settled()).as("left to the bus, which delivers it again later").isFalse();
        assertThat(b.shutdown(Duration.ofSeconds(10))).isTrue();
        assertThat(accepted.outcome()).isCompletedWithValue(Delivery.Outcome.ACKED);
        assertThat(late.settled()).isFalse();
        assertThat(b.metrics().nacked()).isZero();
    }

    @Test
    void shutdownFlushesThePartialBatchAndThenRefusesNewMessages() throws Exception {
        RecordingSink sink = new RecordingSink("s");
        SinkBatcher b = batcher(sink, policy(1000, Long.MAX_VALUE, LONG), FAST_RETRY);
        Delivery d1 = Delivery.of(TestEvents.received("a", 2));
        Delivery d2 = Delivery.of(TestEvents.received("b", 1));
        b.submit(d1);
        b.submit(d2);
        assertThat(d1.settled()).isFalse();

        assertThat(b.shutdown(Duration.ofSeconds(10))).isTrue();

        assertThat(d1.outcome()).isCompletedWithValue(Delivery.Outcome.ACKED);
        assertThat(d2.outcome()).isCompletedWithValue(Delivery.Outcome.ACKED);
        assertThat(sink.writtenIds()).containsExactly("a-0", "a-1", "b-0");
        Delivery late = Delivery.of(TestEvents.received("c", 1));
        assertThat(b.offer(late)).isFalse();
        assertThat(late.outcome()).isCompletedWithValue(Delivery.Outcome.NACKED);
    }

    @Test
    void shutdownThatCannotFinishInTimeNacksWhatIsLeft() throws Exception {
        CountDownLatch inWrite = new CountDownLatch(1);
        RecordingSink sink = new RecordingSink("s") {
            @Override
            protected void beforeWrite(List<Envelope> events) throws Exception {
                inWrite.countDown();
                new CountDownLatch(1).await(); // hangs until interrupted
            }
        };
        SinkBatcher b = batcher(sink, policy(1, Long.MAX_VALUE, LONG), FAST_RETRY);
        Delivery stuck = Delivery.of(TestEvents.received("a", 1));
        Delivery queued = Delivery.of(TestEvents.received("b", 1));
        b.submit(stuck);
        assertThat(inWrite.await(10, TimeUnit.SECONDS)).isTrue();
        b.submit(queued);

        assertThat(b.shutdown(Duration.ofMillis(100))).isFalse();

        assertThat(outcome(stuck)).isEqualTo(Delivery.Outcome.NACKED);
        assertThat(outcome(queued)).isEqualTo(Delivery.Outcome.NACKED);
    }

    @Test
    void offerRefusesAndNacksWhenTheQueueIsFull() throws Exception {
        CountDownLatch inWrite = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        RecordingSink sink = new RecordingSink("s") {
            @Override
            protected void beforeWrite(List<Envelope> events) throws Exception {
                inWrite.countDown();
                release.await();
            }
        };
        SinkBatcher b = batcher(sink, new BatchPolicy(1, Long.MAX_VALUE, LONG, 1, 1L << 20), FAST_RETRY);
        Delivery writing = Delivery.of(TestEvents.received("a", 1));
        assertThat(b.offer(writing)).isTrue();
        assertThat(inWrite.await(10, TimeUnit.SECONDS)).isTrue();
        Delivery waiting = Delivery.of(TestEvents.received("b", 1));
        assertThat(b.offer(waiting)).isTrue();
        Delivery refused = Delivery.of(TestEvents.received("c", 1));

        assertThat(b.offer(refused)).isFalse();

        assertThat(refused.outcome()).isCompletedWithValue(Delivery.Outcome.NACKED);
        assertThat(b.metrics().rejected()).isEqualTo(1);
        release.countDown();
        assertThat(outcome(writing)).isEqualTo(Delivery.Outcome.ACKED);
        assertThat(outcome(waiting)).isEqualTo(Delivery.Outcome.ACKED);
    }

    @Test
    void retryDelaysGrowWithJitterUpToTheCap() {
        RetryPolicy p = new RetryPolicy(Duration.ofMillis(100), Duration.ofMillis(800), 10, Duration.ofMinutes(1));
        for (int i = 0; i < 50; i++) {
            assertThat(p.delayBeforeRetry(1)).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
            assertThat(p.delayBeforeRetry(3)).isBetween(Duration.ofMillis(200), Duration.ofMillis(400));
            assertThat(p.delayBeforeRetry(9)).isBetween(Duration.ofMillis(400), Duration.ofMillis(800));
        }
    }
}
