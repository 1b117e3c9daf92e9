package dev.fanout.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class MessageDecoderTest {

    static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(b);
        }
        return out.toByteArray();
    }

    private final List<Envelope> events = TestEnvelopes.many(10, 80);
    private final BusMessage packed = new MessageEncoder(MessageEncoderOptions.defaults()).encode(events, null).get(0);
    private final BusMessage single = new MessageEncoder(MessageEncoderOptions.defaults().withMode(PackingMode.EVENT))
            .encode(events, null).get(0);

    @Test
    void sniffsWhenEncodingIsMissing() {
        assertThat(MessageDecoder.decode(packed.data(), Map.of())).isEqualTo(events);
        assertThat(MessageDecoder.decode(single.data(), null)).containsExactly(events.get(0));
    }

    @Test
    void receivedMessageOverload() {
        ReceivedMessage rm = new ReceivedMessage("m1", packed.data(), packed.attributes(), null, 1);
        assertThat(MessageDecoder.decode(rm)).isEqualTo(events);
    }

    @Test
    void uncompressedNdjsonIsAccepted() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Envelope e : events) {
            EnvelopeCodec.writeNdjsonLine(e, out);
        }
        assertThat(MessageDecoder.decode(out.toByteArray(), Map.of("encoding", "ndjson"))).isEqualTo(events);
    }

    @Test
    void garbageThrows() throws IOException {
        byte[] garbage = "\u0001\u0002 not an envelope".getBytes(StandardCharsets.UTF_8);
        for (Map<String, String> attrs : List.of(Map.<String, String>of(), Map.of("encoding", "json"),
                Map.of("encoding", "ndjson"))) {
            assertThatThrownBy(() -> MessageDecoder.decode(garbage, attrs)).as(attrs.toString())
                    .isInstanceOf(MessageDecodeException.class);
        }
        assertThatThrownBy(() -> MessageDecoder.decode(garbage, Map.of("encoding", "ndjson+gzip")))
                .isInstanceOf(MessageDecodeException.class).hasMessageContaining("not gzip");
        // Valid gzip of garbage; and truncated gzip.
        assertThatThrownBy(() -> MessageDecoder.decode(gzip(garbage), Map.of("encoding", "ndjson+gzip")))
                .isInstanceOf(MessageDecodeException.class);
        byte[] truncated = java.util.Arrays.copyOf(packed.data(), packed.data().length / 2);
        assertThatThrownBy(() -> MessageDecoder.decode(truncated, packed.attributes()))
                .isInstanceOf(MessageDecodeException.class);
        // Valid JSON that is not an envelope.
        assertThatThrownBy(() -> MessageDecoder.decode("{\"a\":1}".getBytes(StandardCharsets.UTF_8), Map.of("encoding", "json")))
                .isInstanceOf(MessageDecodeException.class).hasMessageContaining("id");
        assertThatThrownBy(() -> MessageDecoder.decode(new byte[0], Map.of()))
                .isInstanceOf(MessageDecodeException.class);
    }

    @Test
    void unknownEncodingOrSchemaThrows() {
        assertThatThrownBy(() -> MessageDecoder.decode(single.data(), Map.of("encoding", "avro")))
                .isInstanceOf(MessageDecodeException.class).hasMessageContaining("avro");
        assertThatThrownBy(() -> MessageDecoder.decode(single.data(), Map.of("encoding", "json", "schema", "2")))
                .isInstanceOf(MessageDecodeException.class).hasMessageContaining("schema");
    }

    @Test
    void countMismatchThrows() {
        Map<String, String> attrs = new HashMap<>(packed.attributes());
        attrs.put("count", "11");
        assertThatThrownBy(() -> MessageDecoder.decode(packed.data(), attrs))
                .isInstanceOf(MessageDecodeException.class).hasMessageContaining("count");
    }

    @Test
    void gzipBombIsRefused() throws IOException {
        byte[] zeros = new byte[8 * 1024 * 1024];
        byte[] bomb = gzip(zeros);
        assertThatThrownBy(() -> MessageDecoder.decode(bomb, Map.of("encoding", "ndjson+gzip"), 1024 * 1024))
                .isInstanceOf(MessageDecodeException.class).hasMessageContaining("expands beyond");
    }

    @Test
    void boundExactlyAtPayloadSizeIsAccepted() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Envelope e : events) {
            EnvelopeCodec.writeNdjsonLine(e, out);
        }
        byte[] raw = out.toByteArray();
        assertThat(MessageDecoder.decode(gzip(raw), Map.of("encoding", "ndjson+gzip"), raw.length)).isEqualTo(events);
        assertThatThrownBy(() -> MessageDecoder.decode(gzip(raw), Map.of("encoding", "ndjson+gzip"), raw.length - 1))
                .isInstanceOf(MessageDecodeException.class);
    }

    /**
     * A tiny message whose gzip trailer claims ~4 GiB must not make the decoder allocate for it: the
     * trailer is the sender's word and is only checked at the end of the stream.
     */
    @Test
    void aForgedIsizeTrailerDoesNotSizeTheBuffer() throws IOException {
        ByteArrayOutputStream lines = new ByteArrayOutputStream();
        for (Envelope e : events) {
            EnvelopeCodec.writeNdjsonLine(e, lines);
        }
        byte[] small = gzip(lines.toByteArray());
        byte[] forged = small.clone();
        for (int i = 1; i <= 4; i++) {
            forged[forged.length - i] = (byte) 0xff;
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        MessageDecoder.decode(small, Map.of("encoding", "ndjson+gzip"), 64L << 20); // warm up classes
        long before = threads.getThreadAllocatedBytes(tid);
        assertThatThrownBy(() -> MessageDecoder.decode(forged, Map.of("encoding", "ndjson+gzip"), 1L << 30))
                .isInstanceOf(MessageDecodeException.class);
        long allocated = threads.getThreadAllocatedBytes(tid) - before;
        assertThat(allocated).as("bytes allocated for a %d-byte message", forged.length).isLessThan(32L << 20);
    }

    @Test
    void theDecodedSizeIsTheInflatedJson() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Envelope e : events) {
            EnvelopeCodec.writeNdjsonLine(e, out);
        }
        byte[] raw = out.toByteArray();
        MessageDecoder.Decoded d = MessageDecoder.decodeMeasured(gzip(raw), Map.of("encoding", "ndjson+gzip"));
        assertThat(d.events()).isEqualTo(events);
        assertThat(d.jsonBytes()).isEqualTo(raw.length);
    }
}
