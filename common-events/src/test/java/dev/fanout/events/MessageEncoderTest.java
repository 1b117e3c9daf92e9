package dev.fanout.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

class MessageEncoderTest {

    static final String TP = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    static MessageEncoder packed(int maxBytes, int maxEvents) {
        return new MessageEncoder(new MessageEncoderOptions(PackingMode.PACKED, maxBytes, maxEvents, 1));
    }

    static final MessageEncoder EVENT = new MessageEncoder(MessageEncoderOptions.defaults().withMode(PackingMode.EVENT));

    static List<Envelope> decodeAll(List<BusMessage> messages) {
        List<Envelope> out = new ArrayList<>();
        for (BusMessage m : messages) {
            out.addAll(MessageDecoder.decode(m.data(), m.attributes()));
        }
        return out;
    }

    static byte[] gunzip(byte[] b) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(b))) {
            return in.readAllBytes();
        }
    }

    @Test
    void defaultsArePackedAndValid() {
        MessageEncoderOptions d = MessageEncoderOptions.defaults();
        assertThat(d.mode()).isEqualTo(PackingMode.PACKED);
        assertThat(d.maxPackedUncompressedBytes()).isEqualTo(4 * 1024 * 1024);
        assertThat(d.maxPackedEvents()).isEqualTo(5000);
        assertThatThrownBy(() -> new MessageEncoderOptions(PackingMode.PACKED, 10, 5, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MessageEncoderOptions(PackingMode.PACKED, 4096, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MessageEncoderOptions(PackingMode.PACKED, 4096, 5, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MessageEncoderOptions(null, 4096, 5, 1)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void eventModeOneMessagePerEventWithAttributes() throws IOException {
        List<Envelope> events = List.of(TestEnvelopes.envelope(1, "r1", Severity.ERROR), TestEnvelopes.malformed(2));
        List<BusMessage> msgs = EVENT.encode(events, TP);
        assertThat(msgs).hasSize(2);
        BusMessage m = msgs.get(0);
        assertThat(m.eventCount()).isEqualTo(1);
        assertThat(m.eventIds()).containsExactly(events.get(0).id());
        assertThat(m.attributes()).containsEntry("schema", "1").containsEntry("encoding", "json")
                .containsEntry("event_id", events.get(0).id()).containsEntry("severity", "error")
                .containsEntry("sourcetype", "nginx").containsEntry("host", "web-1").containsEntry("traceparent", TP)
                .hasSize(7);
        assertThat(EnvelopeCodec.fromJson(m.data())).isEqualTo(events.get(0));
        // Absent host/sourcetype/traceparent are omitted, not empty.
        assertThat(EVENT.encode(List.of(events.get(1)), null).get(0).attributes())
                .containsOnlyKeys("schema", "encoding", "event_id", "severity");
        assertThat(EVENT.encode(List.of(events.get(1)), "  ").get(0).attributes()).doesNotContainKey("traceparent");
    }

    @Test
    void packedModeAttributesAndPayload() throws IOException {
        List<Envelope> events = List.of(TestEnvelopes.envelope(1, "a", Severity.INFO),
                TestEnvelopes.envelope(2, "b", Severity.CRITICAL), TestEnvelopes.envelope(3, "c", Severity.DEBUG));
        List<BusMessage> msgs = new MessageEncoder(MessageEncoderOptions.defaults()).encode(events, TP);
        assertThat(msgs).hasSize(1);
        BusMessage m = msgs.get(0);
        assertThat(m.attributes()).containsOnlyKeys("schema", "encoding", "count", "max_severity", "traceparent")
                .containsEntry("encoding", "ndjson+gzip").containsEntry("count", "3")
                .containsEntry("max_severity", "critical").containsEntry("schema", "1");
        assertThat(m.data()[0]).isEqualTo((byte) 0x1f);
        String ndjson = new String(gunzip(m.data()), StandardCharsets.UTF_8);
        assertThat(ndjson).endsWith("\n").doesNotContain("\n ").doesNotStartWith(" ");
        assertThat(ndjson.split("\n")).hasSize(3);
        assertThat(m.eventIds()).containsExactly(events.get(0).id(), events.get(1).id(), events.get(2).id());
    }

    @Test
    void emptyInputGivesNoMessages() {
        assertThat(EVENT.encode(List.of(), TP)).isEmpty();
        assertThat(packed(4096, 10).encode(List.of(), TP)).isEmpty();
    }

    @Test
    void packedSplitsByEventCount() {
        List<Envelope> events = TestEnvelopes.many(1000, 200);
        List<BusMessage> msgs = packed(64 * 1024 * 1024, 300).encode(events, TP);
        assertThat(msgs).extracting(BusMessage::eventCount).containsExactly(300, 300, 300, 100);
        assertThat(msgs).allSatisfy(m -> assertThat(m.attributes().get("count")).isEqualTo(Integer.toString(m.eventCount())));
        assertThat(decodeAll(msgs)).isEqualTo(events);
    }

    @Test
    void packedSplitsByUncompressedBytes() throws IOException {
        List<Envelope> events = TestEnvelopes.many(1000, 500);
        int limit = 64 * 1024;
        List<BusMessage> msgs = packed(limit, 5000).encode(events, null);
        assertThat(msgs.size()).isGreaterThan(5);
        int total = 0;
        for (BusMessage m : msgs) {
            byte[] raw = gunzip(m.data());
            assertThat(raw.length).isLessThanOrEqualTo(limit);
            // Full: adding the next event would have overflowed (except the last message).
            total += m.eventCount();
            assertThat(m.attributes()).doesNotContainKey("traceparent");
        }
        for (int i = 0; i < msgs.size() - 1; i++) {
            int nextLine = EnvelopeCodec.toJson(msgs.get(i + 1).eventCount() > 0 ? events.get(sum(msgs, i + 1)) : null).length + 1;
            assertThat(gunzip(msgs.get(i).data()).length + nextLine).isGreaterThan(limit);
        }
        assertThat(total).isEqualTo(1000);
        assertThat(decodeAll(msgs)).isEqualTo(events);
    }

    private static int sum(List<BusMessage> msgs, int upTo) {
        int n = 0;
        for (int i = 0; i < upTo; i++) {
            n += msgs.get(i).eventCount();
        }
        return n;
    }

    @Test
    void thousandEventsOverSeveralMessagesKeepOrderAndMaxSeverity() {
        List<Envelope> events = TestEnvelopes.many(1000, 300);
        List<BusMessage> msgs = packed(100 * 1024, 5000).encode(events, TP);
        assertThat(msgs.size()).isGreaterThan(1);
        int offset = 0;
        for (BusMessage m : msgs) {
            Severity max = Severity.DEBUG;
            for (Envelope e : events.subList(offset, offset + m.eventCount())) {
                if (e.severity().moreSevereThan(max)) {
                    max = e.severity();
                }
            }
            assertThat(m.attributes().get("max_severity")).isEqualTo(max.wireName());
            assertThat(m.eventIds()).isEqualTo(events.subList(offset, offset + m.eventCount()).stream().map(Envelope::id).toList());
            offset += m.eventCount();
        }
        assertThat(offset).isEqualTo(1000);
        assertThat(decodeAll(msgs)).isEqualTo(events);
        List<BusMessage> perEvent = EVENT.encode(events, TP);
        assertThat(perEvent).hasSize(1000);
        assertThat(decodeAll(perEvent)).isEqualTo(events);
    }

    @Test
    void linesGoAsTheyCameWithTheSameSplitsAttributesAndEventsAsWritingThemAgain() throws IOException {
        List<Envelope> events = TestEnvelopes.many(1000, 300);
        // The lines with a blank and a bad line between some of them, as a request body has them.
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        int[] starts = new int[events.size()];
        int[] ends = new int[events.size()];
        for (int i = 0; i < events.size(); i++) {
            if (i % 97 == 0) {
                body.write("\nnot an envelope\n".getBytes(StandardCharsets.UTF_8));
            }
            byte[] json = EnvelopeCodec.toJson(events.get(i));
            starts[i] = body.size();
            body.write(json);
            ends[i] = body.size();
            body.write('\n');
        }
        byte[] b = body.toByteArray();
        for (MessageEncoder enc : List.of(packed(100 * 1024, 5000), packed(64 * 1024 * 1024, 300),
                new MessageEncoder(new MessageEncoderOptions(PackingMode.PACKED, 100 * 1024, 5000, 0)))) {
            List<BusMessage> written = enc.encode(events, TP);
            List<BusMessage> copied = enc.encodeLines(events, b, starts, ends, TP);
            assertThat(copied).hasSameSizeAs(written);
            for (int i = 0; i < written.size(); i++) {
                assertThat(copied.get(i).attributes()).isEqualTo(written.get(i).attributes());
                assertThat(copied.get(i).eventIds()).isEqualTo(written.get(i).eventIds());
                // Canonical lines: the very same bytes either way.
                byte[] w = written.get(i).data();
                byte[] c = copied.get(i).data();
                boolean gz = "ndjson+gzip".equals(written.get(i).attributes().get("encoding"));
                assertThat(gz ? gunzip(c) : c).isEqualTo(gz ? gunzip(w) : w);
            }
            assertThat(decodeAll(copied)).isEqualTo(events);
        }
        // Event mode has no lines to copy: it writes each event as encode does.
        assertThat(decodeAll(EVENT.encodeLines(events, b, starts, ends, TP))).isEqualTo(events);
        assertThatThrownBy(() -> packed(4096, 10).encodeLines(events, b, new int[1], new int[1], TP))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void oneEventLargerThanThePackedBoundTravelsAlone() {
        List<Envelope> events = new ArrayList<>(TestEnvelopes.many(3, 100));
        events.add(1, TestEnvelopes.envelope(99, "y".repeat(10_000), Severity.ALERT));
        List<BusMessage> msgs = packed(4096, 5000).encode(events, TP);
        assertThat(msgs).extracting(BusMessage::eventCount).containsExactly(1, 1, 2);
        assertThat(msgs.get(1).attributes().get("max_severity")).isEqualTo("alert");
        assertThat(decodeAll(msgs)).isEqualTo(events);
    }

    @Test
    void oneMegabyteEventInBothModes() {
        Envelope big = TestEnvelopes.envelope(5, "z".repeat(1024 * 1024), Severity.NOTICE);
        List<Envelope> events = List.of(TestEnvelopes.envelope(4, "small", Severity.INFO), big);
        List<BusMessage> ev = EVENT.encode(events, TP);
        assertThat(ev).hasSize(2);
        assertThat(ev.get(1).data().length).isGreaterThan(1024 * 1024);
        assertThat(ev.get(1).attributes().get("encoding")).isEqualTo("json");
        List<BusMessage> pk = new MessageEncoder(MessageEncoderOptions.defaults()).encode(events, TP);
        assertThat(pk).hasSize(1);
        assertThat(pk.get(0).data().length).isLessThan(1024 * 1024);
        assertThat(decodeAll(ev)).isEqualTo(events);
        assertThat(decodeAll(pk)).isEqualTo(events);
    }

    @Test
    void eventTooBigAsJsonIsSentGzippedAloneInEventMode() {
        // 12 MB of compressible text: over the message limit as JSON, fine compressed.
        Envelope huge = TestEnvelopes.envelope(6, "abcdefgh".repeat(1_500_000), Severity.ERROR);
        List<BusMessage> msgs = EVENT.encode(List.of(huge), TP);
        assertThat(msgs).hasSize(1);
        BusMessage m = msgs.get(0);
        assertThat(m.attributes()).containsEntry("encoding", "ndjson+gzip").containsEntry("count", "1")
                .containsEntry("event_id", huge.id()).containsEntry("severity", "error");
        assertThat(m.billableSize()).isLessThanOrEqualTo(PubSubLimits.SAFE_MESSAGE_BYTES);
        assertThat(decodeAll(msgs)).containsExactly(huge);
    }

    @Test
    void levelZeroPacksPlainNdjsonAndGzipsOnlyAnEventTooBigWithout() {
        MessageEncoder stored = new MessageEncoder(new MessageEncoderOptions(PackingMode.PACKED,
                MessageEncoderOptions.MAX_PACKED_UNCOMPRESSED_BYTES, 1000, 0));
        List<Envelope> small = TestEnvelopes.many(50, 300);
        List<BusMessage> plain = stored.encode(small, TP);
        assertThat(plain).allSatisfy(m -> {
            assertThat(m.attributes()).containsEntry("encoding", "ndjson");
            assertThat(m.data()[0]).isEqualTo((byte) '{');
        });
        assertThat(decodeAll(plain)).isEqualTo(small);

        // 12 MB of compressible text: over the message limit as plain NDJSON, fine compressed.
        Envelope huge = TestEnvelopes.envelope(7, "abcdefgh".repeat(1_500_000), Severity.ERROR);
        List<BusMessage> msgs = stored.encode(List.of(small.get(0), huge), TP);
        assertThat(msgs).hasSize(2);
        assertThat(msgs.get(0).attributes()).containsEntry("encoding", "ndjson");
        assertThat(msgs.get(1).attributes()).containsEntry("encoding", "ndjson+gzip").containsEntry("count", "1");
        assertThat(msgs.get(1).billableSize()).isLessThanOrEqualTo(PubSubLimits.SAFE_MESSAGE_BYTES);
        assertThat(decodeAll(msgs)).containsExactly(small.get(0), huge);
    }

    @Test
    void incompressibleEventOverTheLimitIsRejectedInBothModes() {
        byte[] noise = new byte[10_000_000];
        new Random(1).nextBytes(noise);
        // Base64 of random bytes: ~13 MB of text that gzip cannot shrink below the limit.
        String raw = java.util.Base64.getEncoder().encodeToString(noise);
        Envelope e = TestEnvelopes.envelope(8, raw, Severity.INFO);
        assertThatThrownBy(() -> EVENT.encode(List.of(e), TP)).isInstanceOf(MessageTooLargeException.class)
                .hasMessageContaining(e.id());
        assertThatThrownBy(() -> new MessageEncoder(new MessageEncoderOptions(PackingMode.PACKED,
                MessageEncoderOptions.MAX_PACKED_UNCOMPRESSED_BYTES, 10, 1)).encode(List.of(e), TP))
                .isInstanceOf(MessageTooLargeException.class);
    }

    @Test
    void incompressibleEventOverTheLimitBecomesAStubAndTheOthersAreKept() {
        byte[] noise = new byte[10_000_000];
        new Random(3).nextBytes(noise);
        Envelope huge = TestEnvelopes.envelope(9, java.util.Base64.getEncoder().encodeToString(noise), Severity.ERROR);
        Envelope before = TestEnvelopes.envelope(10, "before", Severity.INFO);
        Envelope after = TestEnvelopes.envelope(11, "after", Severity.INFO);
        for (MessageEncoder enc : List.of(EVENT, new MessageEncoder(new MessageEncoderOptions(PackingMode.PACKED,
                MessageEncoderOptions.MAX_PACKED_UNCOMPRESSED_BYTES, 10, 1)))) {
            MessageEncoder.Encoded encoded = enc.encodeKeepingOversize(List.of(before, huge, after), TP);
            assertThat(encoded.stubbed()).isEqualTo(1);
            assertThat(encoded.messages()).allSatisfy(m -> assertThat(m.billableSize())
                    .isLessThanOrEqualTo(PubSubLimits.SAFE_MESSAGE_BYTES));
            List<Envelope> got = decodeAll(encoded.messages());
            assertThat(got).extracting(Envelope::id).containsExactly(before.id(), huge.id(), after.id());
            assertThat(got.get(0)).isEqualTo(before);
            assertThat(got.get(2)).isEqualTo(after);
            Envelope stub = got.get(1);
            assertThat(stub.malformed()).isTrue();
            assertThat(stub.parseError()).contains("too large");
            assertThat(stub.severity()).isEqualTo(Severity.ERROR);
            assertThat(huge.raw()).startsWith(stub.raw());
            assertThat(Utf8.length(stub.raw())).isEqualTo(OversizeStub.MAX_RAW_BYTES);
            assertThat(stub.fields().get(OversizeStub.ORIGINAL_BYTES_FIELD).asLong())
                    .isGreaterThan(huge.raw().length());
        }
    }

    @Test
    void packedMessagesOverTheLimitCompressedAreSplit() {
        // Five ~3.5 MB barely compressible events: within the 64 MiB uncompressed bound, not within one message.
        List<Envelope> events = new ArrayList<>();
        Random r = new Random(2);
        for (int i = 0; i < 5; i++) {
            byte[] noise = new byte[2_600_000];
            r.nextBytes(noise);
            events.add(TestEnvelopes.envelope(i, java.util.Base64.getEncoder().encodeToString(noise), Severity.INFO));
        }
        List<BusMessage> msgs = new MessageEncoder(new MessageEncoderOptions(PackingMode.PACKED,
                MessageEncoderOptions.MAX_PACKED_UNCOMPRESSED_BYTES, 100, 1)).encode(events, TP);
        assertThat(msgs.size()).isGreaterThan(1);
        assertThat(msgs).allSatisfy(m -> assertThat(m.billableSize()).isLessThanOrEqualTo(PubSubLimits.SAFE_MESSAGE_BYTES));
        assertThat(decodeAll(msgs)).isEqualTo(events);
    }

    @Test
    void longAttributeValuesAreTruncatedUtf8Safely() {
        String host = "h".repeat(1023) + "é-more";
        Envelope e = new Envelope("id1", 1, TestEnvelopes.RECEIVED, Envelope.TimeSource.EVENT, TestEnvelopes.RECEIVED,
                host, null, "日".repeat(400), null, Severity.INFO, "r", JsonTrees.NODES.objectNode(), null);
        BusMessage m = EVENT.encode(List.of(e), TP).get(0);
        assertThat(m.attributes().get("host")).isEqualTo("h".repeat(1023));
        assertThat(m.attributes().get("sourcetype")).isEqualTo("日".repeat(341));
        // The payload keeps the full values.
        assertThat(MessageDecoder.decode(m.data(), m.attributes()).get(0).host()).isEqualTo(host);
    }

    @Test
    void allMessagesRespectPubSubLimits() {
        List<Envelope> events = TestEnvelopes.many(2000, 500);
        for (MessageEncoder enc : List.of(EVENT, new MessageEncoder(MessageEncoderOptions.defaults()), packed(1024, 1))) {
            for (BusMessage m : enc.encode(events, TP)) {
                assertThat(m.billableSize()).isLessThanOrEqualTo(PubSubLimits.SAFE_MESSAGE_BYTES);
                assertThat(m.attributes().size()).isLessThanOrEqualTo(PubSubLimits.MAX_ATTRIBUTES);
                m.attributes().forEach((k, v) -> {
                    assertThat(k.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(PubSubLimits.MAX_ATTRIBUTE_KEY_BYTES);
                    assertThat(v.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(PubSubLimits.MAX_ATTRIBUTE_VALUE_BYTES);
                });
            }
        }
    }

    @Test
    void publisherBatchingHelpersStayWithinRequestLimits() {
        assertThat(PubSubLimits.publisherElementCountThreshold()).isLessThanOrEqualTo(PubSubLimits.MAX_MESSAGES_PER_REQUEST);
        assertThat(PubSubLimits.publisherRequestByteThreshold()).isLessThan(PubSubLimits.MAX_REQUEST_BYTES);
        assertThat(PubSubLimits.SAFE_MESSAGE_BYTES).isLessThan(PubSubLimits.MAX_MESSAGE_BYTES);
        assertThatThrownBy(() -> PubSubLimits.sanitize(java.util.Map.of("k".repeat(257), "v")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(PubSubLimits.sanitize(java.util.Map.of("k", "é".repeat(600))).get("k")).hasSize(512);
    }

    @Test
    void gzipLevelsAllRoundTrip() {
        List<Envelope> events = TestEnvelopes.many(200, 500);
        for (int level : new int[] {0, 1, 6, 9}) {
            MessageEncoder enc = new MessageEncoder(MessageEncoderOptions.defaults().withGzipLevel(level));
            assertThat(decodeAll(enc.encode(events, TP))).as("level %d", level).isEqualTo(events);
        }
    }

    @Test
    void decoderOutputSurvivesBothModesEndToEnd() {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            body.append("{\"_raw\":\"<34>Nov 23 14:13:54 host").append(i).append(" sshd[1]: Failed password\\n retry ☃\",")
                    .append("\"_time\":\"1732371234.").append(i % 1000).append("\",\"host\":\"h").append(i)
                    .append("\",\"pri\":").append(i % 192).append(",\"__internal\":1,\"n\":").append(i).append("}\r\n");
            if (i % 50 == 0) {
                body.append("garbage line ").append(i).append("\n");
            }
        }
        byte[] b = body.toString().getBytes(StandardCharsets.UTF_8);
        DecodeResult r = new CriblDecoder(CriblDecoderOptions.defaults()).decode(b, 0, b.length, TestEnvelopes.RECEIVED);
        assertThat(r.malformed()).isEqualTo(6);
        assertThat(decodeAll(EVENT.encode(r.events(), TP))).isEqualTo(r.events());
        assertThat(decodeAll(packed(8192, 37).encode(r.events(), TP))).isEqualTo(r.events());
    }
}
