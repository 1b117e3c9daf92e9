package dev.fanout.cli.replay;

import com.google.common.util.concurrent.RateLimiter;
import dev.fanout.cli.ArchiveSource;
import dev.fanout.cli.Console;
import dev.fanout.cli.targets.Backoff;
import dev.fanout.cli.targets.ReplayTarget;
import dev.fanout.cli.targets.SendOutcome;
import dev.fanout.cli.targets.TargetFatalException;
import dev.fanout.store.ArchiveLayout;
import dev.fanout.store.ArchiveRetryClassifier;
import dev.fanout.store.StoredObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The replay engine: lists each hour partition of the range once (this shard's hours only),
 * reads objects with {@code parallel} workers, filters by exact event time and the filters, sends
 * each object's matches to the target, and checkpoints an object once all of it was confirmed.
 * A corrupt object is reported and the run goes on; a fatal target failure stops the run (what was
 * confirmed stays checkpointed).
 */
public final class Replayer {

    /**
     * @param parallel      objects in flight (GETs and sends)
     * @param rate          events per second across all workers, or null for no limit
     * @param dryRun        read and count only; nothing is sent or checkpointed
     * @param storeRetryFor budget for retrying transient listing/GET failures per call
     */
    public record Settings(ArchiveSource source, EventFilter filter, Shard shard, int parallel, Double rate,
            boolean dryRun, Duration storeRetryFor) {}

    /** Per-partition counts of a dry run. */
    public static final class PartitionCount {
        public long objects;
        public long events;
        public long matched;
        public long bytes;
    }

    /**
     * @param stopReason why the run stopped early, or null if it ran to the end
     */
    public record Result(ReplayStats stats, String stopReason, Map<String, PartitionCount> partitions) {
        public boolean complete() {
            return stats.complete(stopReason != null);
        }
    }

    private final Settings settings;
    private final ReplayTarget target;
    private final Checkpoint checkpoint;
    private final Console console;
    private final ReplayStats stats;
    private final RateLimiter limiter;
    private final AtomicReference<String> stop = new AtomicReference<>();
    private final Map<String, PartitionCount> counts = new TreeMap<>();

    public Replayer(Settings settings, ReplayTarget target, Checkpoint checkpoint, Console console, ReplayStats stats) {
        this.settings = settings;
        this.target = target;
        this.checkpoint = checkpoint;
        this.console = console;
        this.stats = stats;
        this.limiter = settings.rate() == null ? null : RateLimiter.create(settings.rate());
    }

    public Result run() throws Exception {
        List<Instant> hours = new ArrayList<>();
        for (Instant h : Partitions.hours(settings.filter().from(), settings.filter().to())) {
            if (Partitions.owns(h, settings.shard().index(), settings.shard().count())) {
                hours.add(h);
            }
        }
        stats.partitions.set(hours.size());
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, settings.parallel()), r -> {
            Thread t = new Thread(r, "replay-worker");
            t.setDaemon(true);
            return t;
        });
        try {
            List<String> objects = list(pool, hours);
            if (objects == null) {
                return new Result(stats, stop.get(), counts);
            }
            stats.objectsTotal.set(objects.size());
            Set<String> done = checkpoint.done();
            AtomicInteger next = new AtomicInteger();
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < Math.max(1, settings.parallel()); w++) {
                workers.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < objects.size() && stop.get() == null; i = next.getAndIncrement()) {
                        String key = objects.get(i);
                        if (done.contains(key)) {
                            stats.objectsSkipped.incrementAndGet();
                            continue;
                        }
                        process(key);
                    }
                    return null;
                }));
            }
            for (Future<?> f : workers) {
                f.get();
            }
            checkpoint.flush();
        } finally {
            pool.shutdownNow();
        }
        return new Result(stats, stop.get(), counts);
    }

    /** One listing per hour prefix, in parallel; null if the run had to stop. */
    private List<String> list(ExecutorService pool, List<Instant> hours) throws Exception {
        List<Future<List<String>>> fs = new ArrayList<>(hours.size());
        for (Instant h : hours) {
            String prefix = settings.source().partitionPrefix(ArchiveLayout.partition(h));
            fs.add(pool.submit(() -> withRetry("list " + prefix, () -> settings.source().store().list(prefix))));
        }
        List<String> all = new ArrayList<>();
        for (Future<List<String>> f : fs) {
            List<String> keys;
            try {
                keys = f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                stop.compareAndSet(null, "cannot list the archive: " + e.getCause().getMessage());
                return null;
            }
            for (String k : keys) {
                if (k.endsWith(ArchiveLayout.EVENTS_SUFFIX)) {
                    all.add(k);
                }
            }
        }
        return all;
    }

    private void process(String key) {
        StoredObject obj;
        try {
            Optional<StoredObject> o = withRetry("get " + key, () -> settings.source().store().get(key));
            if (o.isEmpty()) {
                stats.objectsFailed.incrementAndGet();
                console.warn("object vanished between listing and reading: " + key);
                return;
            }
            obj = o.get();
        } catch (Exception e) {
            stats.objectsFailed.incrementAndGet();
            console.error("cannot read " + key + ": " + e.getMessage());
            return;
        }
        stats.bytesRead.addAndGet(obj.body().length);
        // Stdout and the replay endpoint send the lines as archived; with no filter on texts or
        // fields their envelopes' headers are all this run reads (the full parse was most of its CPU).
        boolean headers = settings.filter().needsOnlyHeader() && (target == null || target.linesOnly());
        ObjectRun run = new ObjectRun(key);
        ObjectDecoder.Summary d = ObjectDecoder.stream(obj.body(), headers, run::accept);
        run.sendPart();
        stats.eventsRead.addAndGet(d.lines());
        stats.eventsMatched.addAndGet(run.matched);
        if (d.corrupt()) {
            stats.objectsCorrupt.incrementAndGet();
            stats.badLines.addAndGet(d.badLines());
            console.event("WARNING", "corrupt object " + key + ": " + d.problem()
                    + (d.firstBad().isEmpty() ? "" : " (bad lines " + d.firstBad() + ")")
                    + "; kept " + d.lines() + " events", Map.of("key", key, "bad_lines", d.badLines()));
        }
        if (settings.dryRun()) {
            String partition = partitionOf(key);
            synchronized (counts) {
                PartitionCount c = counts.computeIfAbsent(partition, p -> new PartitionCount());
                c.objects++;
                c.events += d.lines();
                c.matched += run.matched;
                c.bytes += obj.body().length;
            }
            stats.objectsDone.incrementAndGet();
            return;
        }
        if (run.failure != null) {
            stats.eventsUnsent.addAndGet(run.unsent);
            stop.compareAndSet(null, run.failure);
            return;
        }
        stats.objectsDone.incrementAndGet();
        if (!d.corrupt() && run.rejected == 0) {
            try {
                checkpoint.markDone(key, run.matched);
            } catch (Exception e) {
                stop.compareAndSet(null, "cannot write the checkpoint " + checkpoint.describe() + ": " + e.getMessage());
            }
        }
    }

    /**
     * One object's matches, handed to the target in parts while the object is read: a part is
     * sent when the next line would take it past the target's {@link ReplayTarget#partBytes} or
     * when it holds a rate-limiter slice. The lines of a part die young instead of the whole
     * object's envelopes living until the last send. After a failure the rest is only counted
     * (read, matched, not sent) and nothing more is sent.
     */
    private final class ObjectRun {
        final String key;
        final long maxPartBytes = target == null ? Long.MAX_VALUE : target.partBytes();
        final int maxPartLines = limiter == null ? Integer.MAX_VALUE : (int) Math.max(1, Math.ceil(settings.rate() / 4));
        final List<Line> part = new ArrayList<>();
        long partBytes;
        int matched;
        long unsent;
        long rejected;
        String failure;

        ObjectRun(String key) {
            this.key = key;
        }

        void accept(Line l) {
            if (!settings.filter().test(l.envelope())) {
                return;
            }
            matched++;
            if (settings.dryRun()) {
                return;
            }
            if (failure != null) {
                unsent++;
                return;
            }
            if (!part.isEmpty() && partBytes + l.len() + 1 > maxPartBytes) {
                sendPart();
                if (failure != null) {
                    unsent++;
                    return;
                }
            }
            part.add(l);
            partBytes += l.len() + 1;
            if (part.size() >= maxPartLines) {
                sendPart();
            }
        }

        void sendPart() {
            if (part.isEmpty() || failure != null) {
                return;
            }
            try {
                if (limiter != null) {
                    limiter.acquire(part.size());
                }
                SendOutcome out = target.send(key, part);
                stats.eventsSent.addAndGet(out.sent());
                stats.eventsRejected.addAndGet(out.rejected());
                rejected += out.rejected();
                for (String p : out.problems()) {
                    console.warn(key + ": " + p);
                }
            } catch (TargetFatalException e) {
                fail(e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            } catch (Exception e) {
                fail("sending " + key + " failed: " + e);
            }
            part.clear();
            partBytes = 0;
        }

        private void fail(String why) {
            failure = why;
            unsent += part.size();
        }
    }

    /** {@code events/dt=2026-11-23/hr=07/x.ndjson.gz} → {@code dt=2026-11-23/hr=07}. */
    static String partitionOf(String key) {
        int hr = key.lastIndexOf("/hr=");
        int dt = key.lastIndexOf("dt=", hr);
        int end = key.indexOf('/', hr + 1);
        return dt < 0 || hr < 0 || end < 0 ? key : key.substring(dt, end);
    }

    interface Call<T> {
        T call() throws Exception;
    }

    private <T> T withRetry(String what, Call<T> call) throws Exception {
        Backoff backoff = Backoff.within(settings.storeRetryFor());
        while (true) {
            try {
                return call.call();
            } catch (Exception e) {
                if (!ArchiveRetryClassifier.isTransient(e) || !backoff.pause(null)) {
                    throw e;
                }
                console.warn(what + " failed (" + e.getMessage() + "), retrying");
            }
        }
    }
}
