package dev.fanout.journal;

import static dev.fanout.journal.Journals.id;
import static dev.fanout.journal.Journals.message;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many concurrent publishers share fsyncs, and every publish that completed is on disk. */
class GroupCommitTest {

    @TempDir
    Path dir;

    @Test
    void concurrentPublishersShareFsyncsAndEveryCompletedPublishIsDurable() throws Exception {
        int threads = 8;
        int perThread = 250;
        Set<String> confirmed = ConcurrentHashMap.newKeySet();
        JournalOptions o = JournalOptions.defaults(dir).withDisk(64L << 20, 1L << 20);
        assertThat(o.fsyncPolicy()).isEqualTo(FsyncPolicy.ALWAYS);
        try (DurableLocalBus bus = DurableLocalBus.open(o)) {
            bus.subscribe("archive", new Journals.Collector());
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int tt = t;
                Thread th = new Thread(() -> {
                    // Each publisher keeps several requests in flight, as the bridge's worker threads do.
                    List<CompletableFuture<String>> fs = new ArrayList<>();
                    List<String> ids = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        String id = "g" + tt + "-" + i;
                        ids.add(id);
                        fs.add(bus.publish(message(id, 400)));
                        if (fs.size() == 25) {
                            settle(fs, ids, confirmed);
                        }
                    }
                    settle(fs, ids, confirmed);
                });
                ts.add(th);
                th.start();
            }
            for (Thread th : ts) {
                th.join();
            }
            JournalStats s = bus.stats();
            assertThat(confirmed).hasSize(threads * perThread);
            assertThat(s.published()).isEqualTo(threads * perThread);
            assertThat(s.fsyncs()).as("fsyncs for %d publishes", s.published()).isLessThan(s.published());
            assertThat(s.writes()).isLessThan(s.published());
            assertThat(s.fsyncs()).as("every write group is forced").isGreaterThanOrEqualTo(s.writes());
        }
        try (DurableLocalBus bus = DurableLocalBus.open(o)) {
            Set<String> got = new HashSet<>();
            bus.subscribe("archive", d -> {
                synchronized (got) {
                    got.add(id(d.message().data()));
                }
                d.ack();
            });
            assertThat(bus.awaitAllAcked(Duration.ofSeconds(30))).isTrue();
            assertThat(got).isEqualTo(confirmed);
        }
    }

    @Test
    void underTheDefaultPolicyAPublishCompletesOnlyAfterItsFsync() throws Exception {
        try (DurableLocalBus bus = DurableLocalBus.open(JournalOptions.defaults(dir))) {
            bus.subscribe("archive", new Journals.Collector());
            long before = bus.stats().fsyncs();
            for (int i = 0; i < 20; i++) {
                bus.publish(message("s" + i, 100)).get(10, TimeUnit.SECONDS);
                long now = bus.stats().fsyncs();
                assertThat(now).as("fsyncs after publish %d", i).isGreaterThan(before);
                before = now;
            }
        }
    }

    private static void settle(List<CompletableFuture<String>> fs, List<String> ids, Set<String> confirmed) {
        for (int i = 0; i < fs.size(); i++) {
            try {
                fs.get(i).get(30, TimeUnit.SECONDS);
                confirmed.add(ids.get(i));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        fs.clear();
        ids.clear();
    }
}
