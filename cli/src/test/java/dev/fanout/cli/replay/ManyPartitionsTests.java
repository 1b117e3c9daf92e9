package dev.fanout.cli.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.cli.ArchiveSource;
import dev.fanout.cli.Console;
import dev.fanout.cli.TestArchive;
import dev.fanout.cli.targets.ReplayTarget;
import dev.fanout.cli.targets.SendOutcome;
import dev.fanout.events.Envelope;
import dev.fanout.store.FilesystemObjectStore;
import dev.fanout.store.ObjectStore;
import dev.fanout.store.PutResult;
import dev.fanout.store.StoredObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A long archive: one listing per hour prefix of the range (billed on R2), objects outside never read. */
class ManyPartitionsTests {

    static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

    @TempDir
    Path tmp;

    /** Counts what the replay asks of the store. */
    static final class CountingStore implements ObjectStore {
        final ObjectStore inner;
        final List<String> lists = new CopyOnWriteArrayList<>();
        final Set<String> gets = ConcurrentHashMap.newKeySet();

        CountingStore(ObjectStore inner) {
            this.inner = inner;
        }

        @Override
        public PutResult putIfAbsent(String key, byte[] body, Map<String, String> m, String ct, String ce) throws Exception {
            return inner.putIfAbsent(key, body, m, ct, ce);
        }

        @Override
        public void checkReady() throws Exception {
            inner.checkReady();
        }

        @Override
        public List<String> list(String prefix) throws Exception {
            lists.add(prefix);
            return inner.list(prefix);
        }

        @Override
        public Optional<StoredObject> get(String key) throws Exception {
            gets.add(key);
            return inner.get(key);
        }

        @Override
        public String describe() {
            return inner.describe();
        }
    }

    @Test
    void listsEachHourOfTheRangeOnceAndReadsOnlyItsObjects() throws Exception {
        // 10 days, 4 events per hour, written in two batches: two objects per hour.
        List<Envelope> all = TestArchive.events(0, 240 * 4, T0, 240);
        FilesystemObjectStore fs = TestArchive.dir(tmp, all, 480);
        CountingStore store = new CountingStore(fs);
        Instant from = T0.plusSeconds(3600L * 30);
        Instant to = T0.plusSeconds(3600L * 200);
        List<Envelope> sent = new CopyOnWriteArrayList<>();
        ReplayTarget target = new ReplayTarget() {
            @Override
            public SendOutcome send(String key, List<Line> events) {
                events.forEach(l -> sent.add(l.envelope()));
                return SendOutcome.allSent(events.size());
            }

            @Override
            public String describe() {
                return "test";
            }
        };
        EventFilter filter = new EventFilter(from, to, Set.of(), Set.of(), Set.of(), Set.of(), null, null, List.of());
        ReplayStats stats = new ReplayStats();
        Replayer.Result r = new Replayer(new Replayer.Settings(new ArchiveSource(store, "events", false), filter, Shard.ALL,
                4, null, false, Duration.ofSeconds(1)), target, Checkpoint.NONE,
                new Console(new PrintWriter(new StringWriter()), Console.Format.TEXT), stats).run();

        assertThat(r.complete()).isTrue();
        assertThat(store.lists).hasSize(170).doesNotHaveDuplicates()
                .allMatch(p -> p.matches("events/dt=2026-11-\\d\\d/hr=\\d\\d/"));
        Pattern inRange = Pattern.compile("events/dt=2026-11-(0[2-9]|10)/hr=\\d\\d/.*");
        assertThat(store.gets).allMatch(k -> inRange.matcher(k).matches());
        assertThat(stats.objectsTotal.get()).isEqualTo(store.gets.size());
        List<String> expected = new ArrayList<>();
        all.stream().filter(e -> !e.time().isBefore(from) && e.time().isBefore(to)).forEach(e -> expected.add(e.id()));
        assertThat(sent).extracting(Envelope::id).containsExactlyInAnyOrderElementsOf(expected);
    }
}
