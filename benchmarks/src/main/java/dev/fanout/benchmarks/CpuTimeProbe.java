package dev.fanout.benchmarks;

import dev.fanout.events.BusMessage;
import dev.fanout.events.CriblDecoder;
import dev.fanout.events.CriblDecoderOptions;
import dev.fanout.events.Envelope;
import dev.fanout.events.MessageDecoder;
import dev.fanout.events.MessageEncoder;
import dev.fanout.events.MessageEncoderOptions;
import dev.fanout.events.PackingMode;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Companion to {@link CodecBenchmark} for shared machines: the same operations, measured in
 * <em>CPU time of this process</em> (the benchmark thread plus GC and JIT threads) rather than wall
 * time, so other processes competing for the cores distort the result much less (caches and
 * memory bandwidth are still shared). Reports MB and events per CPU-second, i.e. per fully used
 * core, and the share of that CPU spent outside the benchmark thread (mostly GC).
 * Usage: {@code java -cp benchmarks.jar dev.fanout.benchmarks.CpuTimeProbe [seconds per case [case-name regex]]}.
 */
public final class CpuTimeProbe {
    private CpuTimeProbe() {}

    private static Object sink;
    private static java.util.regex.Pattern filter;

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 4;
        filter = java.util.regex.Pattern.compile(args.length > 1 ? args[1] : ".*");
        byte[] body = CriblBodies.ndjson(CodecBenchmark.BODY_BYTES, 42);
        Instant now = Instant.parse("2026-11-23T19:00:00Z");
        CriblDecoder decoder = new CriblDecoder(CriblDecoderOptions.defaults());
        List<Envelope> events = decoder.decode(body, 0, body.length, now).events();
        System.out.printf(Locale.ROOT, "body %,d bytes, %,d events; MB = 10^6 bytes of Cribl NDJSON; per CPU-second%n",
                body.length, events.size());
        System.out.printf(Locale.ROOT, "%-26s %10s %12s %12s %8s %12s%n", "case", "ms CPU/op", "MB/CPU-s", "events/CPU-s", "non-op",
                "best-slice MB/CPU-s");
        run("decodeCribl", seconds, body.length, events.size(), () -> decoder.decode(body, 0, body.length, now));
        MessageEncoder event = new MessageEncoder(MessageEncoderOptions.defaults().withMode(PackingMode.EVENT));
        run("encodeEvent", seconds, body.length, events.size(), () -> event.encode(events, null));
        // Breakdown of encodePacked: NDJSON serialisation alone, and deflate alone on that NDJSON.
        java.io.ByteArrayOutputStream nd = new java.io.ByteArrayOutputStream(2 << 20);
        run("ndjsonOnly", seconds, body.length, events.size(), () -> {
            nd.reset();
            try {
                dev.fanout.events.EnvelopeCodec.writeNdjson(events, nd);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return nd;
        });
        byte[] ndjson = nd.toByteArray();
        if (filter.matcher("ndjsonOnly").find()) {
            System.out.printf(Locale.ROOT, "  (envelope NDJSON: %,d bytes)%n", ndjson.length);
        }
        byte[] out = new byte[ndjson.length];
        run("deflateOnly level 2", seconds, body.length, events.size(), () -> {
            java.util.zip.Deflater d = new java.util.zip.Deflater(2, true);
            d.setInput(ndjson);
            d.finish();
            int n = 0;
            while (!d.finished()) {
                n += d.deflate(out, n, out.length - n);
            }
            d.end();
            return n;
        });
        run("gzipStreamOnly level 2", seconds, body.length, events.size(), () -> {
            java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream(ndjson.length / 4);
            try (java.util.zip.GZIPOutputStream z = new java.util.zip.GZIPOutputStream(gz, 64 * 1024) {
                {
                    def.setLevel(2);
                }
            }) {
                z.write(ndjson);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return gz.toByteArray();
        });
        for (int level : new int[] {0, 1, 2, 6}) {
            MessageEncoder packed = new MessageEncoder(MessageEncoderOptions.defaults().withGzipLevel(level));
            List<BusMessage> msgs = packed.encode(events, null);
            run("encodePacked gzip " + level, seconds, body.length, events.size(), () -> packed.encode(events, null));
            run("bridgePathPacked gzip " + level, seconds, body.length, events.size(),
                    () -> packed.encode(decoder.decode(body, 0, body.length, now).events(), null));
            // What the bridge runs since packed messages leave derivable ids out: one more SHA-256 per event.
            run("bridgePathDerivedIds gzip " + level, seconds, body.length, events.size(), () -> {
                dev.fanout.events.DecodeResult r = decoder.decode(body, 0, body.length, now);
                return packed.encode(r.events(), r.bodyDigest(), null);
            });
            List<BusMessage> derived = packed.encode(events, decoder.decode(body, 0, body.length, now).bodyDigest(), null);
            run("decodePackedDerivedIds gzip " + level, seconds, body.length, events.size(), () -> {
                Object last = null;
                for (BusMessage m : derived) {
                    last = MessageDecoder.decode(m.data(), m.attributes());
                }
                return last;
            });
            run("decodePacked gzip " + level, seconds, body.length, events.size(), () -> {
                Object last = null;
                for (BusMessage m : msgs) {
                    last = MessageDecoder.decode(m.data(), m.attributes());
                }
                return last;
            });
        }
    }

    private static void run(String name, double seconds, long bytes, int events, Supplier<Object> op) {
        if (!filter.matcher(name).find()) {
            return;
        }
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long warmEnd = System.nanoTime() + (long) (seconds * 0.5e9);
        while (System.nanoTime() < warmEnd) {
            sink = op.get();
        }
        long thread0 = mx.getCurrentThreadCpuTime();
        long proc0 = os.getProcessCpuTime();
        long ops = 0;
        // Also time 0.5 CPU-second slices: the fastest slice is the least disturbed by neighbours.
        double best = Double.MAX_VALUE;
        long sliceOps = 0;
        long sliceProc0 = proc0;
        long sliceThread0 = thread0;
        while (mx.getCurrentThreadCpuTime() - thread0 < (long) (seconds * 1e9)) {
            sink = op.get();
            ops++;
            sliceOps++;
            if (mx.getCurrentThreadCpuTime() - sliceThread0 >= 500_000_000L) {
                long p = os.getProcessCpuTime();
                best = Math.min(best, (p - sliceProc0) / 1e6 / sliceOps);
                sliceOps = 0;
                sliceProc0 = p;
                sliceThread0 = mx.getCurrentThreadCpuTime();
            }
        }
        double threadSec = (mx.getCurrentThreadCpuTime() - thread0) / 1e9;
        double procSec = (os.getProcessCpuTime() - proc0) / 1e9;
        if (best == Double.MAX_VALUE) {
            best = procSec * 1000 / ops;
        }
        System.out.printf(Locale.ROOT, "%-26s %10.2f %12.1f %,12.0f %7.0f%% %12.1f%n", name, procSec * 1000 / ops,
                ops * bytes / procSec / 1e6, ops * events / procSec, 100 * (procSec - threadSec) / procSec,
                bytes / best / 1e3);
    }
}
