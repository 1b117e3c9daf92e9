package dev.fanout.journal;

import static dev.fanout.journal.Journals.id;
import static dev.fanout.journal.Journals.message;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.events.port.EventPublisher;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Segments are deleted only after every subscription acked them; the disk bound pushes back and frees up. */
class RetentionTest {

    @TempDir
    Path dir;

    @Test
    void aSegmentIsDeletedOnlyAfterTheSlowerOfTwoSubscriptionsAckedIt() throws Exception {
        try (DurableLocalBus bus = DurableLocalBus.open(Journals.small(dir))) {
            Journals.Collector fast = new Journals.Collector();
            Journals.Collector slow = new Journals.Collector();
            bus.subscribe("archive", fast);
            bus.subscribe("bigquery", slow);
            for (int i = 0; i < 40; i++) {
                bus.publish(message("r" + i, 900)).get();
            }
            List<Path> before = Journals.segments(dir);
            assertThat(before).hasSizeGreaterThan(5); // ~4 records of ~1 KB per 4 KiB segment

            for (int i = 0; i < 40; i++) {
                fast.take().ack();
            }
            bus.housekeep();
            assertThat(Journals.segments(dir)).isEqualTo(before);

            // The slow one acks the first 20: only segments wholly below its position may go.
            List<JournalDelivery> slowOnes = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                slowOnes.add(slow.take());
            }
            for (int i = 0; i < 20; i++) {
                slowOnes.get(i).ack();
            }
            bus.housekeep();
            List<Path> middle = Journals.segments(dir);
            assertThat(middle).hasSizeLessThan(before.size()).hasSizeGreaterThan(1);
            assertThat(bus.stats().segmentsDeleted()).isEqualTo(before.size() - middle.size());

            // What is left still holds every message the slow one has not acked: redeliver them all.
            for (int i = 20; i < 40; i++) {
                slowOnes.get(i).nack();
            }
            List<String> again = new ArrayList<>();
            for (int i = 20; i < 40; i++) {
                JournalDelivery d = slow.take();
                again.add(id(d.message().data()));
                d.ack();
            }
            assertThat(again).containsExactlyInAnyOrderElementsOf(
                    java.util.stream.IntStream.range(20, 40).mapToObj(i -> "r" + i).toList());
            // Everything acked: housekeeping seals the active segment and then deletes it.
            awaitDiskBytes(bus, Segment.FILE_HEADER);
            assertThat(Journals.segments(dir)).hasSize(1);
        }
    }

    @Test
    void overTheDiskBoundPublishFailsWithBackpressureAndAcksMakeRoomAgain() throws Exception {
        try (DurableLocalBus bus = DurableLocalBus.open(Journals.small(dir).withDisk(16 * 1024, 4096))) {
            Journals.Collector c = new Journals.Collector();
            bus.subscribe("archive", c);
            int accepted = 0;
            Throwable refused = null;
            for (int i = 0; i < 100 && refused == null; i++) {
                try {
                    bus.publish(message("d" + i, 900)).get();
                    accepted++;
                } catch (ExecutionException e) {
                    refused = e.getCause();
                }
            }
            assertThat(refused).isInstanceOf(EventPublisher.BackpressureException.class);
            assertThat(accepted).isBetween(10, 17);
            assertThat(bus.stats().diskBytes()).isLessThanOrEqualTo(16 * 1024);

            for (int i = 0; i < accepted; i++) {
                c.take().ack();
            }
            // Room comes back once the positions are on disk and the acked segments are gone.
            String id = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (id == null && System.nanoTime() < deadline) {
                bus.housekeep();
                try {
                    id = bus.publish(message("room", 900)).get();
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(EventPublisher.BackpressureException.class);
                    Thread.sleep(10);
                }
            }
            assertThat(id).isNotNull();
            assertThat(id(c.take().message().data())).isEqualTo("room");
        }
    }

    @Test
    void aSubscriptionThatIsKnownButNotSubscribedKeepsItsMessagesUntilDeleted() throws Exception {
        try (DurableLocalBus bus = DurableLocalBus.open(Journals.small(dir))) {
            bus.subscribe("archive", new Journals.Collector());
            bus.subscribe("gone", new Journals.Collector());
        }
        try (DurableLocalBus bus = DurableLocalBus.open(Journals.small(dir))) {
            Journals.Collector c = new Journals.Collector();
            bus.subscribe("archive", c);
            for (int i = 0; i < 20; i++) {
                bus.publish(message("g" + i, 900)).get();
                c.take().ack();
            }
            bus.housekeep();
            int held = Journals.segments(dir).size();
            assertThat(held).isGreaterThan(3);
            assertThat(bus.backlog().get("gone").messages()).isEqualTo(20);

            assertThat(bus.deleteSubscription("gone")).isTrue();
            awaitDiskBytes(bus, Segment.FILE_HEADER);
            assertThat(Journals.segments(dir)).hasSize(1);
        }
    }

    /** Housekeeping seals a fully acked active segment (on the writer thread) and deletes it on a later round. */
    private static void awaitDiskBytes(DurableLocalBus bus, long bytes) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (bus.stats().diskBytes() != bytes && System.nanoTime() < deadline) {
            bus.housekeep();
            Thread.sleep(10);
        }
        assertThat(bus.stats().diskBytes()).isEqualTo(bytes);
    }
}
