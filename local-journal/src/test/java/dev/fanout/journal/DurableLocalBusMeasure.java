package dev.fanout.journal;

import dev.fanout.events.BusMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Publish throughput of the durable local bus (not run by the suite; numbers go to docs/benchmarks.md
 * and docs/local-bus.md). Each publisher publishes one message, waits for its future, and goes on, like
 * a bridge worker thread with one request; one subscription acks every delivery at once, so segments
 * are deleted as they go and the journal stays small. Reported per row: messages/s, MB/s, events/s
 * (1 MiB message = 2,000 Cribl-like events, 5 KiB = 10), fsyncs per publish, disk bytes written per
 * event ({@code write_bytes} of /proc/self/io: segments plus position files), and publish latency.
 *
 * <pre>
 * ./mvnw -B -q -pl local-journal -am test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -cp local-journal/target/test-classes:local-journal/target/classes:$(cat /tmp/cp.txt) \
 *   dev.fanout.journal.DurableLocalBusMeasure /tmp/journal-measure [seconds-per-row] [policies]
 * </pre>
 */
public final class DurableLocalBusMeasure {

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args.length > 0 ? args[0] : "/tmp/journal-measure");
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 8;
        List<FsyncPolicy> policies = args.length > 2
                ? Arrays.stream(args[2].split(",")).map(FsyncPolicy::valueOf).toList()
                : List.of(FsyncPolicy.ALWAYS, FsyncPolicy.INTERVAL, FsyncPolicy.NEVER);
        System.out.println("| fsync | message | publishers | messages/s | MB/s | events/s | fsyncs per publish"
                + " | disk bytes written per event | p50 ms | p99 ms |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        for (FsyncPolicy policy : policies) {
            for (int size : new int[] {1 << 20, 5 * 1024}) {
                for (int publishers : new int[] {1, 8}) {
                    row(root, policy, size, publishers, seconds);
                }
            }
        }
    }

    private static void row(Path root, FsyncPolicy policy, int size, int publishers, double seconds) throws Exception {
        Path dir = fresh(root);
        int eventsPerMessage = size > 100_000 ? 2_000 : 10;
        JournalOptions o = JournalOptions.defaults(dir).withFsync(policy, Duration.ofMillis(100));
        try (DurableLocalBus bus = DurableLocalBus.open(o)) {
            bus.subscribe("archive", JournalDelivery::ack);
            run(bus, size, publishers, 1.0, new long[0]); // warm-up
            JournalStats s0 = bus.stats();
            long w0 = writeBytes();
            long[] latencies = new long[4_000_000];
            long t0 = System.nanoTime();
            long n = run(bus, size, publishers, seconds, latencies);
            double s = (System.nanoTime() - t0) / 1e9;
            long written = writeBytes() - w0;
            JournalStats s1 = bus.stats();
            long[] lat = Arrays.copyOf(latencies, (int) Math.min(n, latencies.length));
            Arrays.sort(lat);
            System.out.printf("| %s | %s | %d | %,.0f | %,.1f | %,.0f | %.3f | %,.0f | %.2f | %.2f |%n", policy,
                    size > 100_000 ? "1 MiB" : "5 KiB", publishers, n / s, n * (double) size / s / 1e6,
                    n * (double) eventsPerMessage / s, (s1.fsyncs() - s0.fsyncs()) / (double) n,
                    written / ((double) n * eventsPerMessage), lat[lat.length / 2] / 1e6, lat[(int) (lat.length * 0.99)] / 1e6);
            bus.awaitAllAcked(Duration.ofSeconds(30));
        }
    }

    private static long run(DurableLocalBus bus, int size, int publishers, double seconds, long[] latencies)
            throws InterruptedException {
        AtomicLong count = new AtomicLong();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        List<Thread> ts = new ArrayList<>();
        for (int p = 0; p < publishers; p++) {
            Thread t = new Thread(() -> {
                byte[] data = new byte[size];
                new Random().nextBytes(data);
                BusMessage m = new BusMessage(data, Map.of("fanout_packing", "gzip-ndjson", "fanout_events", "10"), 10, null);
                while (System.nanoTime() < end) {
                    long t1 = System.nanoTime();
                    try {
                        bus.publish(m).get();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    long i = count.getAndIncrement();
                    if (i < latencies.length) {
                        latencies[(int) i] = System.nanoTime() - t1;
                    }
                }
            });
            ts.add(t);
            t.start();
        }
        for (Thread t : ts) {
            t.join();
        }
        return count.get();
    }

    static Path fresh(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return Files.createDirectories(dir);
    }

    /** Bytes this process caused to be sent to the block layer. */
    static long writeBytes() throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/io"))) {
            if (l.startsWith("write_bytes:")) {
                return Long.parseLong(l.substring(12).trim());
            }
        }
        return -1;
    }
}
