package dev.fanout.benchmarks;

import dev.fanout.events.BusMessage;
import dev.fanout.events.CriblDecoder;
import dev.fanout.events.CriblDecoderOptions;
import dev.fanout.events.DecodeResult;
import dev.fanout.events.Envelope;
import dev.fanout.events.MessageEncoder;
import dev.fanout.events.MessageEncoderOptions;
import dev.fanout.events.PackingMode;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The ingest hot path on one ~1 MiB Cribl NDJSON body (~520-byte events): decode and event-mode
 * encode. Packed encoding, which depends on the gzip level, is in {@link PackedBenchmark}.
 * Scores are operations (= bodies) per second; {@code benchmarks/run-jmh.sh} turns them into
 * MB/s and events/s via {@link JmhSummary}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class CodecBenchmark {

    /** Target size of the benchmark body; the generated body is a few bytes over. */
    public static final int BODY_BYTES = 1 << 20;

    private byte[] body;
    private Instant receivedAt;
    private CriblDecoder decoder;
    private List<Envelope> events;
    private MessageEncoder perEvent;

    @Setup
    public void setup() {
        body = CriblBodies.ndjson(BODY_BYTES, 42);
        receivedAt = Instant.parse("2026-11-23T19:00:00Z");
        decoder = new CriblDecoder(CriblDecoderOptions.defaults());
        DecodeResult r = decoder.decode(body, 0, body.length, receivedAt);
        events = r.events();
        perEvent = new MessageEncoder(MessageEncoderOptions.defaults().withMode(PackingMode.EVENT));
        long eventBytes = perEvent.encode(events, null).stream().mapToLong(BusMessage::billableSize).sum();
        System.out.printf("%n[setup] body %d bytes, %d events (%d malformed), format %s; event mode %d msgs %d bytes%n",
                body.length, events.size(), r.malformed(), r.format(), events.size(), eventBytes);
    }

    /** Cribl body → envelopes (UTF-8 check, body digest, ids, parse, severity). */
    @Benchmark
    public DecodeResult decodeCribl() {
        return decoder.decode(body, 0, body.length, receivedAt);
    }

    /** Envelopes → one JSON message per event. */
    @Benchmark
    public List<BusMessage> encodeEvent() {
        return perEvent.encode(events, null);
    }
}
