package dev.fanout.cli.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.cli.ArchiveSource;
import dev.fanout.cli.Console;
import dev.fanout.cli.TestArchive;
import dev.fanout.cli.targets.ReplayTarget;
import dev.fanout.cli.targets.SendOutcome;
import dev.fanout.cli.targets.TargetFatalException;
import dev.fanout.events.Envelope;
import dev.fanout.store.FilesystemObjectStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An object is handed to the target in parts of at most its {@link ReplayTarget#partBytes} while it is read. */
class ReplayPartsTests {

    static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

    @TempDir
    Path tmp;

    /** Records each part as the NDJSON it would send, copied during the call (the bytes are only valid then). */
    static class RecordingTarget implements ReplayTarget {
        final long partBytes;
        final List<String> parts = new CopyOnWriteArrayList<>();
        int failAtPart = -1;

        RecordingTarget(long partBytes) {
            this.partBytes = partBytes;
        }

        @Override
        public long partBytes() {
            return partBytes;
        }

        @Override
        public boolean linesOnly() {
            return true;
        }

        @Override
        public synchronized SendOutcome send(String key, List<Line> events) throws Exception {
            if (parts.size() == failAtPart) {
                throw new TargetFatalException("scripted: the target went away", null);
            }
            StringBuilder b = new StringBuilder();
            for (Line l : events) {
                b.append(new String(l.buf(), l.off(), l.len(), StandardCharsets.UTF_8)).append('\n');
            }
            parts.add(b.toString());
            return SendOutcome.allSent(events.size());
        }

        @Override
        public String describe() {
            return "test";
        }
    }

    private Replayer.Result replay(FilesystemObjectStore store, ReplayTarget target, ReplayStats stats, Checkpoint checkpoint)
            throws Exception {
        EventFilter filter = new EventFilter(T0, T0.plusSeconds(3600), Set.of(), Set.of(), Set.of(), Set.of(), null, null, List.of());
        return new Replayer(new Replayer.Settings(new ArchiveSource(store, "events", false), filter, Shard.ALL,
                1, null, false, Duration.ofSeconds(1)), target, checkpoint,
                new Console(new PrintWriter(new StringWriter()), Console.Format.TEXT), stats).run();
    }

    @Test
    void anObjectGoesOutInPartsNoLargerThanTheTargetTakesWithEveryLineOnceAndInOrder() throws Exception {
        List<Envelope> all = TestArchive.events(0, 500, T0, 1);
        FilesystemObjectStore store = TestArchive.dir(tmp, all, 500);
        List<String> archived = TestArchive.lines(store);
        assertThat(archived).hasSize(500);
        int lineBytes = archived.get(0).length() + 1;
        RecordingTarget target = new RecordingTarget(lineBytes * 7L + lineBytes / 2);

        ReplayStats stats = new ReplayStats();
        Replayer.Result r = replay(store, target, stats, Checkpoint.NONE);

        assertThat(r.complete()).isTrue();
        assertThat(target.parts.size()).isGreaterThan(500 / 8);
        for (String p : target.parts) {
            assertThat(p.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo((int) target.partBytes);
        }
        List<String> sent = new ArrayList<>();
        target.parts.forEach(p -> sent.addAll(p.lines().toList()));
        // One object, one worker: the parts concatenate to the archived lines, byte for byte, in order.
        assertThat(sent).isEqualTo(archived);
        assertThat(stats.eventsRead.get()).isEqualTo(500);
        assertThat(stats.eventsMatched.get()).isEqualTo(500);
        assertThat(stats.eventsSent.get()).isEqualTo(500);
    }

    @Test
    void aTargetThatFailsMidObjectLeavesTheRestCountedAsNotSentAndTheObjectUncheckpointed() throws Exception {
        List<Envelope> all = TestArchive.events(0, 300, T0, 1);
        FilesystemObjectStore store = TestArchive.dir(tmp, all, 300);
        int lineBytes = TestArchive.lines(store).get(0).length() + 1;
        RecordingTarget target = new RecordingTarget(lineBytes * 10L);
        target.failAtPart = 3;
        List<String> marked = new CopyOnWriteArrayList<>();
        Checkpoint checkpoint = new Checkpoint() {
            @Override
            public RunRecord begin(RunRecord proposed) {
                return proposed;
            }

            @Override
            public Set<String> done() {
                return Set.of();
            }

            @Override
            public void markDone(String key, long events) {
                marked.add(key);
            }

            @Override
            public void flush() {}

            @Override
            public String describe() {
                return "test";
            }
        };

        ReplayStats stats = new ReplayStats();
        Replayer.Result r = replay(store, target, stats, checkpoint);

        assertThat(r.complete()).isFalse();
        assertThat(r.stopReason()).contains("the target went away");
        long sent = target.parts.stream().mapToLong(p -> p.lines().count()).sum();
        assertThat(sent).isBetween(3L * 8, 3L * 10);
        assertThat(stats.eventsSent.get()).isEqualTo(sent);
        // Every line of the object is still read and matched; what was not confirmed is counted.
        assertThat(stats.eventsRead.get()).isEqualTo(300);
        assertThat(stats.eventsMatched.get()).isEqualTo(300);
        assertThat(stats.eventsUnsent.get()).isEqualTo(300 - sent);
        assertThat(target.parts).hasSize(3);
        assertThat(marked).isEmpty();
    }
}
