package dev.fanout.alerts.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.alerts.engine.AlertEngine;
import dev.fanout.alerts.engine.AlertSettings;
import dev.fanout.alerts.support.Events;
import dev.fanout.alerts.support.Harness;
import dev.fanout.alerts.support.MutableClock;
import dev.fanout.alerts.support.RecordingChannel;
import dev.fanout.events.Envelope;
import dev.fanout.events.Severity;
import dev.fanout.store.FilesystemObjectStore;
import dev.fanout.store.ObjectStore;
import dev.fanout.store.S3ClientFactory;
import dev.fanout.store.S3ObjectStore;
import dev.fanout.store.S3Settings;
import dev.fanout.store.VersionedObject;
import dev.fanout.testsupport.s3.S3ProxyProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The state on real stores: the filesystem (local mode) and S3 via s3proxy with the real AWS SDK
 * (R2 in the cloud): compare-and-set, restart, and two instances on one state object.
 */
class StateStoreTests {

    private static S3ProxyProcess proxy;
    private static S3Client admin;
    private static final AtomicInteger BUCKETS = new AtomicInteger();

    @TempDir
    Path dir;

    @BeforeAll
    static void startProxy() throws Exception {
        proxy = S3ProxyProcess.start();
        admin = S3ClientFactory.create(S3Settings.of(proxy.endpoint(), "unused", proxy.accessKeyId(), proxy.secretAccessKey()));
    }

    @AfterAll
    static void stopProxy() {
        if (admin != null) {
            admin.close();
        }
        if (proxy != null) {
            proxy.stop();
        }
    }

    private static S3ObjectStore freshBucket() {
        String bucket = "alerts-" + BUCKETS.incrementAndGet();
        admin.createBucket(b -> b.bucket(bucket));
        return new S3ObjectStore(S3Settings.of(proxy.endpoint(), bucket, proxy.accessKeyId(), proxy.secretAccessKey()));
    }

    private static void compareAndSet(ObjectStore store) throws Exception {
        String key = "alerts/state.json.gz";
        assertThat(store.getVersioned(key)).isEmpty();
        Optional<String> v1 = store.putIfVersion(key, bytes("one"), null, "application/gzip");
        assertThat(v1).isPresent();
        // A second "create" loses: the object exists.
        assertThat(store.putIfVersion(key, bytes("other"), null, "application/gzip")).isEmpty();
        VersionedObject read = store.getVersioned(key).orElseThrow();
        assertThat(read.body()).isEqualTo(bytes("one"));
        assertThat(read.version()).isEqualTo(v1.get());
        Optional<String> v2 = store.putIfVersion(key, bytes("two"), v1.get(), "application/gzip");
        assertThat(v2).isPresent().isNotEqualTo(v1);
        // A writer still holding v1 loses and changes nothing.
        assertThat(store.putIfVersion(key, bytes("stale"), v1.get(), "application/gzip")).isEmpty();
        assertThat(store.getVersioned(key).orElseThrow().body()).isEqualTo(bytes("two"));
        assertThat(store.getVersioned(key).orElseThrow().version()).isEqualTo(v2.get());
    }

    @Test
    void filesystemCompareAndSet() throws Exception {
        compareAndSet(new FilesystemObjectStore(dir));
        // The lock file is hidden: listing shows the state only.
        assertThat(new FilesystemObjectStore(dir).list("")).containsExactly("alerts/state.json.gz");
    }

    @Test
    void s3CompareAndSetWithIfMatch() throws Exception {
        try (S3ObjectStore s3 = freshBucket()) {
            compareAndSet(s3);
        }
    }

    @Test
    void aRestartedSinkKeepsGroupsTimersAndBudget() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
        RecordingChannel mail = new RecordingChannel();
        AlertSettings settings = Harness.settings(Harness.defaultRules());
        StateStore store = new ObjectStoreStateStore(new FilesystemObjectStore(dir), "state.json.gz");
        Harness before = new Harness(settings, store, mail, clock);
        before.sink.write(Events.batch(List.of(Events.event("web-1", "app", Severity.ERROR, "first", clock.instant()))));
        clock.advance(Duration.ofSeconds(30));
        before.scheduler.runOnce();
        before.sink.write(Events.batch(List.of(Events.event("web-2", "app", Severity.ERROR, "second", clock.instant()))));
        assertThat(mail.accepted).hasSize(1);

        // A new process (Cloud Run scaled to zero and back): everything comes from the stored object.
        Harness after = new Harness(settings, new ObjectStoreStateStore(new FilesystemObjectStore(dir), "state.json.gz"),
                mail, clock);
        AlertState s = after.state.read(st -> st, 0);
        assertThat(s.groups).hasSize(2);
        assertThat(s.budget.dayUsed).isEqualTo(1);
        clock.advance(Duration.ofSeconds(29));
        after.scheduler.runOnce();
        assertThat(mail.accepted).hasSize(1);
        clock.advance(Duration.ofSeconds(1));
        after.scheduler.runOnce();
        assertThat(mail.accepted).hasSize(2);
        assertThat(after.state.<Integer>read(st -> st.budget.dayUsed, 0)).isEqualTo(2);
    }

    @Test
    void twoInstancesOnOneFileNeverDoubleSendOrDoubleCount() throws Exception {
        twoInstances(() -> new ObjectStoreStateStore(new FilesystemObjectStore(dir), "state.json.gz"), 4, 60, true);
    }

    @Test
    void twoInstancesOnOneS3ObjectNeverDoubleSendOrDoubleCount() throws Exception {
        S3ObjectStore bucket = freshBucket();
        try {
            // Interleaved, not concurrent: s3proxy checks If-Match and then writes (not atomically, see
            // its settleIfMatch), so truly concurrent PUTs can both pass there; R2 commits a
            // conditional write atomically. The caches still go stale and the writes still conflict.
            twoInstances(() -> new ObjectStoreStateStore(bucket, "alerts/state.json.gz"), 3, 25, false);
        } finally {
            bucket.close();
        }
    }

    @FunctionalInterface
    private interface StoreFactory {
        StateStore create();
    }

    private static final Pattern EVENTS = Pattern.compile("Events: +([0-9,]+) since");

    /**
     * Two instances (each its own state cache, store client and scheduler) count events and send
     * e-mail concurrently from one state object, with a provider that deduplicates on
     * Idempotency-Key as Resend does. Every event is reported in exactly one e-mail: a window planned
     * twice (under another key, which the provider would not catch) would report it twice.
     */
    private static void twoInstances(StoreFactory stores, int groups, int rounds, boolean concurrent) throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
        RecordingChannel provider = new RecordingChannel();
        AlertSettings settings = Harness.settings(Harness.rules("""
                rules:
                  - name: per-host
                    match: {severity: error}
                    group-by: [host]
                    group-wait: 0s
                    group-interval: 0s
                    repeat-interval: 0s
                """), 1_000_000, 10_000_000, 10);
        Harness a = new Harness(settings, stores.create(), provider, clock, 0);
        Harness b = new Harness(settings, stores.create(), provider, clock, 0);
        AtomicInteger written = new AtomicInteger();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(concurrent ? 2 : 1);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        List<List<Harness>> workers = concurrent ? List.of(List.of(a), List.of(b)) : List.of(List.of(a, b));
        for (List<Harness> mine : workers) {
            done.add(pool.submit(() -> {
                Random rnd = new Random(mine.size() * 31L + rounds);
                try {
                    go.await();
                    for (int r = 0; r < rounds * mine.size(); r++) {
                        Harness h = mine.get(rnd.nextInt(mine.size()));
                        List<Envelope> events = new ArrayList<>();
                        int n = 1 + rnd.nextInt(5);
                        for (int i = 0; i < n; i++) {
                            events.add(Events.event("host-" + rnd.nextInt(groups), "app", Severity.ERROR, "e" + r, clock.instant()));
                        }
                        h.sink.write(Events.batch(events));
                        written.addAndGet(n);
                        mine.get(rnd.nextInt(mine.size())).scheduler.runOnce();
                        clock.advance(Duration.ofMillis(1 + rnd.nextInt(3)));
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        assertThat(failures).isEmpty();
        // Drain: both keep going until nothing is pending or planned.
        for (int i = 0; i < 10; i++) {
            clock.advance(Duration.ofSeconds(1));
            a.scheduler.runOnce();
            b.scheduler.runOnce();
        }
        AlertState s = a.state.read(st -> st, 0);
        assertThat(s.outbox).isEmpty();
        assertThat(s.groups.values()).allSatisfy(g -> assertThat(g.pending).isZero());
        assertThat(s.total(AlertEngine.T_EVENTS)).isEqualTo(written.get());

        long reported = 0;
        Map<String, Integer> perKey = new HashMap<>();
        synchronized (provider.accepted) {
            for (Delivery.OutgoingEmail e : provider.accepted) {
                perKey.merge(e.key, 1, Integer::sum);
                Matcher m = EVENTS.matcher(e.body.get("text").asText());
                assertThat(m.find()).isTrue();
                reported += Long.parseLong(m.group(1).replace(",", ""));
            }
        }
        assertThat(perKey.values()).allSatisfy(n -> assertThat(n).isEqualTo(1));
        assertThat(reported).as("events reported across all e-mails").isEqualTo(written.get());
        // Budget charged exactly for what the provider accepted.
        assertThat(s.budget.dayUsed).isEqualTo(provider.unitsAccepted());
        // The instances really did get in each other's way.
        assertThat(a.state.conflicts() + b.state.conflicts()).isGreaterThan(0);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

}
