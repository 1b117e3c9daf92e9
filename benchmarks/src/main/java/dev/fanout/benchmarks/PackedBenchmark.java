package dev.fanout.benchmarks;

import dev.fanout.events.BusMessage;
import dev.fanout.events.CriblDecoder;
import dev.fanout.events.CriblDecoderOptions;
import dev.fanout.events.Envelope;
import dev.fanout.events.MessageDecoder;
import dev.fanout.events.MessageEncoder;
import dev.fanout.events.MessageEncoderOptions;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Packed mode on the same ~1 MiB body as {@link CodecBenchmark}, per gzip level: encode, the
 * bridge's whole codec path (decode + encode), and the consumers' reverse decode.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class PackedBenchmark {

    @Param({"1", "2", "6"})
    public int gzipLevel;

    private byte[] body;
    private Instant receivedAt;
    private CriblDecoder decoder;
    private List<Envelope> events;
    private MessageEncoder packed;
    private List<BusMessage> packedMessages;

    @Setup
    public void setup() {
        body = CriblBodies.ndjson(CodecBenchmark.BODY_BYTES, 42);
        receivedAt = Instant.parse("2026-11-23T19:00:00Z");
        decoder = new CriblDecoder(CriblDecoderOptions.defaults());
        events = decoder.decode(body, 0, body.length, receivedAt).events();
        packed = new MessageEncoder(MessageEncoderOptions.defaults().withGzipLevel(gzipLevel));
        packedMessages = packed.encode(events, null);
        long packedBytes = packedMessages.stream().mapToLong(BusMessage::billableSize).sum();
        System.out.printf("%n[setup] body %d bytes, %d events; gzip level %d: %d packed msgs, %d bytes (body/packed %.2fx)%n",
                body.length, events.size(), gzipLevel, packedMessages.size(), packedBytes, (double) body.length / packedBytes);
    }

    /** Envelopes → packed gzip NDJSON messages. */
    @Benchmark
    public List<BusMessage> encodePacked() {
        return packed.encode(events, null);
    }

    /** The bridge's whole codec path for one request: decode then encode packed. */
    @Benchmark
    public List<BusMessage> bridgePathPacked() {
        return packed.encode(decoder.decode(body, 0, body.length, receivedAt).events(), null);
    }

    /** Consumers: packed messages → envelopes. */
    @Benchmark
    public void decodePacked(Blackhole bh) {
        for (BusMessage m : packedMessages) {
            bh.consume(MessageDecoder.decode(m.data(), m.attributes()));
        }
    }
}
