package dev.fanout.archive.bench;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.fanout.store.ArchiveCodec;
import dev.fanout.store.ArchiveLayout;
import dev.fanout.archive.ArchiveSink;
import dev.fanout.store.FilesystemObjectStore;
import dev.fanout.testsupport.events.TestEvents;
import dev.fanout.events.Envelope;
import dev.fanout.events.EnvelopeCodec;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * Timing harness (not a test, not JMH): compression ratio of archive objects on ~500-byte log
 * envelopes per gzip level, and events/s of {@link ArchiveSink#write} with the filesystem store.
 *
 * <pre>
 * java -cp archive-sink/target/test-classes:archive-sink/target/classes:$(cat cp.txt) \
 *     dev.fanout.archive.bench.ArchiveWriteMeasure [batchSize] [batches] [dir]
 * </pre>
 */
public final class ArchiveWriteMeasure {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        int batchSize = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int batches = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        Path dir = args.length > 2 ? Path.of(args[2]) : Files.createTempDirectory("archive-measure");

        // Distinct events for every batch: a repeated batch would only measure the ALREADY_EXISTS path.
        Instant start = Instant.parse("2026-11-23T10:00:00Z");
        List<List<Envelope>> data = new ArrayList<>();
        for (int b = 0; b < batches + 5; b++) {
            // Each batch covers 50 minutes, so about every other batch spans an hour boundary.
            data.add(TestEvents.batch(b * batchSize, batchSize, start.plusSeconds(3000L * b), 50 * 60_000L));
        }

        long lineBytes = ndjsonBytes(data.get(0));
        System.out.printf(Locale.ROOT, "events/batch %d, batches %d, avg NDJSON line %.0f bytes%n",
                batchSize, batches, (double) lineBytes / batchSize);
        for (int level : new int[] {1, 6, 9}) {
            long gz = 0;
            long raw = 0;
            for (int b = 0; b < 5; b++) {
                gz += new ArchiveCodec(level).encode(data.get(b)).length;
                raw += ndjsonBytes(data.get(b));
            }
            System.out.printf(Locale.ROOT, "gzip level %d: %d -> %d bytes, ratio %.2fx over %d events%n",
                    level, raw, gz, (double) raw / gz, 5 * batchSize);
        }

        compareLineWriters(data);

        for (int level : new int[] {6, 1}) {
            Path root = dir.resolve("level-" + level);
            ArchiveSink sink = new ArchiveSink(new FilesystemObjectStore(root),
                    new ArchiveLayout("events"), new ArchiveCodec(level));
            // Warm-up on the 5 extra batches: JIT, page cache, directory creation.
            for (int b = batches; b < batches + 5; b++) {
                sink.write(data.get(b));
            }
            long inBytes = 0;
            for (int b = 0; b < batches; b++) {
                inBytes += ndjsonBytes(data.get(b));
            }
            long t0 = System.nanoTime();
            long cpu0 = THREADS.getCurrentThreadCpuTime();
            for (int b = 0; b < batches; b++) {
                sink.write(data.get(b));
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            // The machine is shared: CPU time of the writing thread is the stable figure, wall
            // time shows what this run got.
            double cpuSecs = (THREADS.getCurrentThreadCpuTime() - cpu0) / 1e9;
            long outBytes = sizeOf(root.resolve("events"));
            long events = (long) batchSize * (batches + 5);
            System.out.printf(Locale.ROOT,
                    "ArchiveSink.write fs, gzip %d: %d events in %.2f s wall = %.0f events/s, %.1f MB/s NDJSON in; "
                            + "%.2f s CPU = %.0f events/CPU-s, %.1f MB/CPU-s in; "
                            + "archive total %d bytes for %d events (%.2fx)%n",
                    level, (long) batchSize * batches, secs, batchSize * batches / secs, inBytes / secs / 1e6,
                    cpuSecs, batchSize * batches / cpuSecs, inBytes / cpuSecs / 1e6,
                    outBytes, events, (double) inBytes * (batches + 5) / batches / outBytes);
        }
    }

    /** ArchiveCodec writes line by line with EnvelopeCodec.writeNdjsonLine; what would one generator per object save? */
    private static void compareLineWriters(List<List<Envelope>> data) throws Exception {
        ArchiveCodec codec = new ArchiveCodec(6);
        for (int round = 0; round < 2; round++) { // round 0 warms up both paths
            long cpu0 = THREADS.getCurrentThreadCpuTime();
            long a = 0;
            for (int b = 0; b < 10; b++) {
                a += codec.encode(data.get(b)).length;
            }
            long cpu1 = THREADS.getCurrentThreadCpuTime();
            long c = 0;
            for (int b = 0; b < 10; b++) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                try (GZIPOutputStream gz = new GZIPOutputStream(bytes, 64 * 1024);
                        JsonGenerator g = EnvelopeCodec.mapper().getFactory().createGenerator(gz, JsonEncoding.UTF8)) {
                    g.setRootValueSeparator(null);
                    for (Envelope e : data.get(b)) {
                        EnvelopeCodec.write(g, e);
                        g.writeRaw('\n');
                    }
                }
                c += bytes.size();
            }
            long cpu2 = THREADS.getCurrentThreadCpuTime();
            if (round == 1) {
                System.out.printf(Locale.ROOT, "encode 10 batches, level 6: ArchiveCodec (writeNdjsonLine) %.2f s CPU "
                                + "(%d bytes), one generator per object %.2f s CPU (%d bytes)%n",
                        (cpu1 - cpu0) / 1e9, a, (cpu2 - cpu1) / 1e9, c);
            }
        }
    }

    private static long ndjsonBytes(List<Envelope> events) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream(events.size() * 600);
        for (Envelope e : events) {
            EnvelopeCodec.writeNdjsonLine(e, out);
        }
        return out.size();
    }

    private static long sizeOf(Path root) throws Exception {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".ndjson.gz"))
                    .mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
