package dev.fanout.journal;

import static dev.fanout.journal.Journals.id;
import static dev.fanout.journal.Journals.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.events.ReceivedMessage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurableLocalBusTest {

    @TempDir
    Path dir;

    private DurableLocalBus bus;

    @AfterEach
    void closeBus() {
        if (bus != null) {
            bus.close();
        }
    }

    private DurableLocalBus open(JournalOptions o) throws IOException {
        if (bus != null) {
            bus.close();
        }
        bus = DurableLocalBus.open(o);
        return bus;
    }

    @Test
    void everySubscriptionGetsEveryMessageWithItsBytesAttributesAndFirstAttempt() throws Exception {
        DurableLocalBus b = open(Journals.small(dir));
        Journals.Collector archive = new Journals.Collector();
        Journals.Collector alerts = new Journals.Collector();
        b.subscribe("archive", archive);
        b.subscribe("alerts", alerts);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(b.publish(message("e" + i, 700)).get(5, TimeUnit.SECONDS));
        }
        assertThat(ids).doesNotHaveDuplicates();
        for (Journals.Collector c : List.of(archive, alerts)) {
            for (int i = 0; i < 5; i++) {
                JournalDelivery d = c.take();
                ReceivedMessage m = d.message();
                assertThat(id(m.data())).isEqualTo("e" + i);
                assertThat(m.data()).isEqualTo(message("e" + i, 700).data());
                assertThat(m.attributes()).containsEntry("fanout_id", "e" + i).containsEntry("content-type", "text/plain");
                assertThat(m.messageId()).isEqualTo(ids.get(i));
                assertThat(m.deliveryAttempt()).isEqualTo(1);
                assertThat(m.publishTime()).isNotNull();
                assertThat(d.ack()).isTrue();
                assertThat(d.ack()).isFalse();
            }
        }
        assertThat(b.awaitAllAcked(Duration.ofSeconds(5))).isTrue();
        assertThat(b.backlog().values()).allMatch(x -> x.messages() == 0);
    }

    @Test
    void aMessageTheSubscriberDoesNotWantIsAckedWithoutBeingHandedOverAndStaysAckedAfterARestart() throws Exception {
        DurableLocalBus b = open(Journals.small(dir));
        List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        class Picky extends Journals.Collector {
            @Override
            public boolean wants(Map<String, String> attributes) {
                asked.add(attributes.get("fanout_id"));
                return !attributes.get("fanout_id").startsWith("replayed");
            }
        }
        Picky picky = new Picky();
        Journals.Collector all = new Journals.Collector();
        b.subscribe("archive", picky);
        b.subscribe("analytics", all);
        for (String id : List.of("live-1", "replayed-1", "live-2", "replayed-2")) {
            b.publish(message(id, 300)).get(5, TimeUnit.SECONDS);
        }
        assertThat(id(picky.take().message().data())).isEqualTo("live-1");
        assertThat(id(picky.take().message().data())).isEqualTo("live-2");
        assertThat(picky.poll(Duration.ofMillis(200))).isNull();
        for (int i = 0; i < 4; i++) {
            all.take().ack(); // the other subscription still gets every message
        }
        assertThat(asked).containsExactly("live-1", "replayed-1", "live-2", "replayed-2");
        // Only the two handed over are unsettled: the refused ones were acked by the journal.
        assertThat(b.backlog().get("archive").messages()).isEqualTo(2);
        b.close();

        DurableLocalBus b2 = open(Journals.small(dir));
        Journals.Collector again = new Journals.Collector();
        b2.subscribe("archive", again);
        assertThat(List.of(id(again.take().message().data()), id(again.take().message().data())))
                .containsExactlyInAnyOrder("live-1", "live-2");
        assertThat(again.poll(Duration.ofMillis(200))).isNull();
    }

    @Test
    void publishWithoutAnySubscriptionFailsInsteadOfAcceptingIntoTheVoid() throws Exception {
        DurableLocalBus b = open(Journals.small(dir));
        assertThatThrownBy(() -> b.publish(message("x")).get()).hasCauseInstanceOf(IllegalStateException.class);
    }

    @Test
    void nackRedeliversWithTheNextAttemptAndAnAckEndsIt() throws Exception {
        DurableLocalBus b = open(Journals.small(dir));
        Journals.Collector c = new Journals.Collector();
        b.subscribe("archive", c);
        b.publish(message("n1")).get();
        JournalDelivery first = c.take();
        assertThat(first.message().deliveryAttempt()).isEqualTo(1);
        first.nack();
        JournalDelivery second = c.take();
        assertThat(id(second.message().data())).isEqualTo("n1");
        assertThat(second.message().deliveryAttempt()).isEqualTo(2);
        assertThat(second.message().messageId()).isEqualTo(first.message().messageId());
        second.nack();
        JournalDelivery third = c.take();
        assertThat(third.message().deliveryAttempt()).isEqualTo(3);
        third.ack();
        assertThat(c.poll(Duration.ofMillis(200))).isNull();
        assertThat(b.stats().redeliveries()).isEqualTo(2);
        assertThat(b.awaitAllAcked(Duration.ofSeconds(5))).isTrue();
    }

    @Test
    void anExpiredAckDeadlineRedeliversAndTheLateAckOfTheOldAttemptIsIgnored() throws Exception {
        DurableLocalBus b = open(Journals.small(dir).withDelivery(Duration.ofMillis(150), Duration.ofMillis(1),
                Duration.ofMillis(10), 1));
        Journals.Collector c = new Journals.Collector();
        b.subscribe("archive", c);
        b.publish(message("slow")).get();
        JournalDelivery first = c.take();
        JournalDelivery second = c.take(); // after the 150 ms deadline
        assertThat(second.message().deliveryAttempt()).isEqualTo(2);
        first.ack(); // late: the message was handed out again, so it must stay unacked
        assertThat(b.backlog().get("archive").messages()).isEqualTo(1);
        second.ack();
        assertThat(b.awaitAllAcked(Duration.ofSeconds(5))).isTrue();
    }

    @Test
    void outOfOrderAcksSurviveARestartWithoutRedeliveringAckedOrSkippingUnacked() throws Exception {
        DurableLocalBus b = open(Journals.small(dir));
        Journals.Collector c = new Journals.Collector();
        b.subscribe("archive", c);
        for (int i = 0; i < 10; i++) {
            b.publish(message("o" + i)).get();
        }
        List<JournalDelivery> ds = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ds.add(c.take());
        }
        // Ack the even ones, highest first; leave the odd ones in flight.
        for (int i = 8; i >= 0; i -= 2) {
            ds.get(i).ack();
        }
        b.publish(message("after")).get();
        assertThat(id(c.take().message().data())).isEqualTo("after"); // handed out, not acked
        b.close();

        DurableLocalBus b2 = open(Journals.small(dir));
        Journals.Collector c2 = new Journals.Collector();
        b2.subscribe("archive", c2);
        Set<String> redelivered = new HashSet<>();
        for (int i = 0; i < 6; i++) {
            JournalDelivery d = c2.take();
            redelivered.add(id(d.message().data()));
            assertThat(d.message().deliveryAttempt()).isEqualTo(2); // handed out once before the restart
            d.ack();
        }
        assertThat(redelivered).containsExactlyInAnyOrder("o1", "o3", "o5", "o7", "o9", "after");
        assertThat(c2.poll(Duration.ofMillis(200))).isNull();
        assertThat(b2.awaitAllAcked(Duration.ofSeconds(5))).isTrue();
    }

    @Test
    void closeWithABacklogKeepsEverythingForTheNextStart() throws Exception {
        DurableLocalBus b = open(Journals.small(dir).withUnsettled(150, 1L << 30));
        Journals.Collector c = new Journals.Collector();
        b.subscribe("archive", c);
        Set<String> published = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            b.publish(message("k" + i, 300)).get();
            published.add("k" + i);
        }
        for (int i = 0; i < 100; i++) {
            c.take().ack();
        }
        // The collector holds 150 unacked: the other 50 cannot be handed over in time.
        assertThat(b.drain(Duration.ofMillis(100))).isFalse();
        assertThatThrownBy(() -> b.publish(message("late")).get()).hasCauseInstanceOf(IllegalStateException.class);
        b.close();

        DurableLocalBus b2 = open(Journals.small(dir));
        assertThat(b2.backlog().get("archive").messages()).isEqualTo(200);
        Journals.Collector c2 = new Journals.Collector();
        b2.subscribe("archive", c2);
        Set<String> got = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            JournalDelivery d = c2.take();
            got.add(id(d.message().data()));
            d.ack();
        }
        Set<String> expected = new HashSet<>(published);
        for (int i = 0; i < 100; i++) {
            expected.remove("k" + i);
        }
        assertThat(got).isEqualTo(expected);
        assertThat(c2.poll(Duration.ofMillis(200))).isNull();
    }

    @Test
    void atMostMaxUnsettledMessagesAreHandedOutUntilAcksComeBack() throws Exception {
        DurableLocalBus b = open(Journals.small(dir).withUnsettled(3, 1L << 30));
        Journals.Collector c = new Journals.Collector();
        b.subscribe("archive", c);
        for (int i = 0; i < 10; i++) {
            b.publish(message("u" + i)).get();
        }
        List<JournalDelivery> first = List.of(c.take(), c.take(), c.take());
        assertThat(c.poll(Duration.ofMillis(300))).isNull();
        first.get(1).ack();
        JournalDelivery fourth = c.take();
        assertThat(id(fourth.message().data())).isEqualTo("u3");
        assertThat(c.poll(Duration.ofMillis(200))).isNull();
        // A nacked message waiting for its redelivery still counts: the bound is on unsettled messages.
        first.get(0).nack();
        JournalDelivery again = c.take();
        assertThat(id(again.message().data())).isEqualTo("u0");
        assertThat(c.poll(Duration.ofMillis(200))).isNull();
    }

    @Test
    void aSubscriptionsOwnBoundReplacesTheOptionsBound() throws Exception {
        DurableLocalBus b = open(Journals.small(dir).withUnsettled(2, 1L << 30));
        Journals.Collector narrow = new Journals.Collector();
        Journals.Collector wide = new Journals.Collector();
        b.subscribe("narrow", narrow);
        b.subscribe("wide", wide, 5, 1L << 30);
        for (int i = 0; i < 10; i++) {
            b.publish(message("w" + i)).get();
        }
        for (int i = 0; i < 5; i++) {
            assertThat(id(wide.take().message().data())).isEqualTo("w" + i);
        }
        assertThat(wide.poll(Duration.ofMillis(300))).isNull();
        narrow.take();
        narrow.take();
        assertThat(narrow.poll(Duration.ofMillis(100))).isNull();
    }

    @Test
    void aNewSubscriptionStartsAtTheOldestRetainedMessageOrAtTheNextOneWithLatest() throws Exception {
        DurableLocalBus b = open(Journals.small(dir));
        Journals.Collector archive = new Journals.Collector();
        b.subscribe("archive", archive);
        b.publish(message("before")).get();

        Journals.Collector oldest = new Journals.Collector();
        b.subscribe("bigquery", oldest);
        assertThat(id(oldest.take().message().data())).isEqualTo("before");
        b.close();

        DurableLocalBus b2 = open(Journals.small(dir).withNewSubscriptionStart(StartPosition.LATEST));
        Journals.Collector latest = new Journals.Collector();
        b2.subscribe("alerts", latest);
        b2.publish(message("after")).get();
        assertThat(id(latest.take().message().data())).isEqualTo("after");
        assertThat(latest.poll(Duration.ofMillis(200))).isNull();
        assertThat(b2.subscriptions()).containsExactly("archive", "bigquery", "alerts");
    }

    @Test
    void aSecondBusOnTheSameDirectoryIsRefused() throws Exception {
        open(Journals.small(dir));
        assertThatThrownBy(() -> DurableLocalBus.open(Journals.small(dir))).isInstanceOf(IOException.class)
                .hasMessageContaining("in use");
    }

    @Test
    void subscriptionNamesAreFileSafe() throws Exception {
        DurableLocalBus b = open(Journals.small(dir));
        assertThatThrownBy(() -> b.subscribe("../etc", new Journals.Collector())).isInstanceOf(IllegalArgumentException.class);
        b.subscribe("archive", new Journals.Collector());
        assertThatThrownBy(() -> b.subscribe("archive", new Journals.Collector())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void intervalAndNeverPoliciesStillKeepWhatWasWrittenAcrossAProcessRestart() throws Exception {
        for (FsyncPolicy p : List.of(FsyncPolicy.INTERVAL, FsyncPolicy.NEVER)) {
            Path d = dir.resolve(p.name());
            DurableLocalBus b = open(Journals.small(d).withFsync(p, Duration.ofMillis(20)));
            b.subscribe("archive", new Journals.Collector());
            for (int i = 0; i < 50; i++) {
                b.publish(message(p + "-" + i)).get(5, TimeUnit.SECONDS);
            }
            b.close();
            DurableLocalBus b2 = open(Journals.small(d));
            Journals.Collector c = new Journals.Collector();
            b2.subscribe("archive", c);
            Set<String> got = new HashSet<>();
            for (int i = 0; i < 50; i++) {
                got.add(id(c.take().message().data()));
            }
            assertThat(got).hasSize(50);
        }
    }

    @Test
    void aHandlerThatThrowsGetsTheMessageAgain() throws Exception {
        DurableLocalBus b = open(Journals.small(dir));
        Journals.Collector c = new Journals.Collector();
        int[] calls = {0};
        b.subscribe("archive", d -> {
            if (calls[0]++ == 0) {
                throw new IllegalStateException("boom");
            }
            c.deliver(d);
        });
        b.publish(message("t")).get();
        JournalDelivery d = c.take();
        assertThat(d.message().deliveryAttempt()).isEqualTo(2);
    }

    @Test
    void publishFailsAfterClose() throws Exception {
        DurableLocalBus b = open(Journals.small(dir));
        b.subscribe("archive", new Journals.Collector());
        b.close();
        assertThatThrownBy(() -> b.publish(message("x")).get()).isInstanceOf(ExecutionException.class);
        assertThat(b.healthy()).isFalse();
    }
}
