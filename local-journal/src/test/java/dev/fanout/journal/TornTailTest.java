package dev.fanout.journal;

import static dev.fanout.journal.Journals.id;
import static dev.fanout.journal.Journals.message;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A record cut or garbled by a crash at the end of the journal: the bus opens, cuts it, counts and logs it. */
class TornTailTest {

    @TempDir
    Path dir;

    private final List<LogRecord> logged = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            logged.add(r);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @BeforeEach
    void captureLog() {
        // jboss-logging falls back to java.util.logging in plain JUnit.
        Logger.getLogger(SegmentLog.class.getName()).addHandler(capture);
    }

    @AfterEach
    void releaseLog() {
        Logger.getLogger(SegmentLog.class.getName()).removeHandler(capture);
    }

    private Path writeTen() throws Exception {
        try (DurableLocalBus bus = DurableLocalBus.open(Journals.small(dir).withDisk(64L << 20, 1L << 20))) {
            bus.subscribe("archive", new Journals.Collector());
            for (int i = 0; i < 10; i++) {
                bus.publish(message("t" + i, 500)).get();
            }
        }
        List<Path> segs = Journals.segments(dir);
        assertThat(segs).hasSize(1);
        return segs.get(0);
    }

    private List<String> deliveredAfterReopen(int expected) throws Exception {
        try (DurableLocalBus bus = DurableLocalBus.open(Journals.small(dir).withDisk(64L << 20, 1L << 20))) {
            assertThat(bus.stats().tornTails()).isEqualTo(1);
            assertThat(bus.stats().tornBytes()).isPositive();
            assertThat(logged).as(logged.stream().map(r -> r.getLevel() + " " + r.getMessage()).toList().toString())
                    .anyMatch(r -> r.getLevel().intValue() >= Level.WARNING.intValue() && r.getMessage().contains("torn tail"));
            Journals.Collector c = new Journals.Collector();
            bus.subscribe("archive", c);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < expected; i++) {
                JournalDelivery d = c.take();
                ids.add(id(d.message().data()));
                d.ack();
            }
            assertThat(c.poll(Duration.ofMillis(200))).isNull();
            // The journal goes on after the cut: the next publish is readable too.
            bus.publish(message("next", 10)).get();
            assertThat(id(c.take().message().data())).isEqualTo("next");
            return ids;
        }
    }

    private static List<String> ids(int n) {
        return java.util.stream.IntStream.range(0, n).mapToObj(i -> "t" + i).toList();
    }

    @Test
    void aLastRecordCutShortIsTruncatedAndEverythingBeforeItDelivered() throws Exception {
        Path seg = writeTen();
        long size = Files.size(seg);
        try (var ch = java.nio.channels.FileChannel.open(seg, StandardOpenOption.WRITE)) {
            ch.truncate(size - 7);
        }
        assertThat(deliveredAfterReopen(9)).containsExactlyElementsOf(ids(9));
        assertThat(Files.size(seg)).isLessThan(size - 7 + 60); // cut back to the 9th record's end, then "next"
    }

    @Test
    void aGarbledLastRecordFailsItsChecksumAndIsCut() throws Exception {
        Path seg = writeTen();
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            f.seek(f.length() - 100);
            f.write(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        }
        assertThat(deliveredAfterReopen(9)).containsExactlyElementsOf(ids(9));
    }

    @Test
    void halfAHeaderAfterTheLastWholeRecordIsCut() throws Exception {
        Path seg = writeTen();
        Files.write(seg, new byte[] {0, 0, 1}, StandardOpenOption.APPEND);
        assertThat(deliveredAfterReopen(10)).containsExactlyElementsOf(ids(10));
    }

    @Test
    void aLengthFieldPointingPastTheEndIsCut() throws Exception {
        Path seg = writeTen();
        Files.write(seg, new byte[] {0x7f, 0, 0, 0, 9, 9, 9, 9, 1, 2, 3}, StandardOpenOption.APPEND);
        assertThat(deliveredAfterReopen(10)).containsExactlyElementsOf(ids(10));
    }

    @Test
    void aCorruptRecordInASealedSegmentIsCountedLoggedAndSkippedNotAFailedStart() throws Exception {
        try (DurableLocalBus bus = DurableLocalBus.open(Journals.small(dir))) {
            bus.subscribe("archive", new Journals.Collector());
            for (int i = 0; i < 20; i++) {
                bus.publish(message("b" + i, 900)).get();
            }
        }
        Path first = Journals.segments(dir).get(0);
        try (RandomAccessFile f = new RandomAccessFile(first.toFile(), "rw")) {
            f.seek(Segment.FILE_HEADER + 1500); // inside the second record's data
            f.write(new byte[] {0x55, 0x55, 0x55});
        }
        Logger.getLogger(SegmentLog.class.getName()).removeHandler(capture);
        try (DurableLocalBus bus = DurableLocalBus.open(Journals.small(dir))) {
            assertThat(bus.stats().tornTails()).isZero();
            Journals.Collector c = new Journals.Collector();
            bus.subscribe("archive", c);
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 19; i++) {
                JournalDelivery d = c.take();
                got.add(id(d.message().data()));
                d.ack();
            }
            assertThat(c.poll(Duration.ofMillis(200))).isNull();
            List<String> expected = new ArrayList<>(java.util.stream.IntStream.range(0, 20).mapToObj(i -> "b" + i).toList());
            expected.remove("b1");
            assertThat(got).containsExactlyElementsOf(expected);
            assertThat(bus.stats().corruptRecords()).isEqualTo(1);
            assertThat(bus.awaitAllAcked(Duration.ofSeconds(5))).isTrue();
        }
    }
}
