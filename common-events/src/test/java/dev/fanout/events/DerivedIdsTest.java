package dev.fanout.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** Packed messages leave out ids the decoder can derive from the body digest (docs/event-contract.md §6). */
class DerivedIdsTest {

    static final String TP = MessageEncoderTest.TP;
    static final CriblDecoder CRIBL = new CriblDecoder(CriblDecoderOptions.defaults());

    /** A Cribl body with malformed lines among the events, decoded as the bridge does. */
    static DecodeResult body(int events) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < events; i++) {
            b.append("{\"_raw\":\"<34>Nov 23 14:13:54 host").append(i).append(" sshd[1]: Failed password for root\",")
                    .append("\"_time\":1732371234.").append(i % 1000).append(",\"host\":\"h").append(i % 7)
                    .append("\",\"level\":\"").append(i % 13 == 0 ? "error" : "info").append("\"}\n");
            if (i % 40 == 0) {
                b.append("not json ").append(i).append('\n');
            }
        }
        byte[] bytes = b.toString().getBytes(StandardCharsets.UTF_8);
        return CRIBL.decode(bytes, 0, bytes.length, TestEnvelopes.RECEIVED);
    }

    static List<Envelope> decodeAll(List<BusMessage> messages) {
        return MessageEncoderTest.decodeAll(messages);
    }

    static String ndjson(BusMessage m) throws IOException {
        byte[] d = m.data();
        boolean gz = d.length >= 2 && d[0] == (byte) 0x1f && d[1] == (byte) 0x8b;
        return new String(gz ? MessageEncoderTest.gunzip(d) : d, StandardCharsets.UTF_8);
    }

    @Test
    void theBridgesEventsTravelWithoutIdsAndComeBackWithTheSameIds() throws IOException {
        DecodeResult r = body(500);
        assertThat(r.bodyDigest()).isNotNull();
        // Small bounds: many messages, so every message's first ordinal is exercised.
        List<BusMessage> msgs = MessageEncoderTest.packed(8192, 37).encode(r.events(), r.bodyDigest(), TP);
        assertThat(msgs).hasSizeGreaterThan(10);
        int first = 0;
        for (BusMessage m : msgs) {
            assertThat(m.attributes()).containsEntry(Attributes.ID_DIGEST, EventIds.digestHex(r.bodyDigest()))
                    .containsEntry(Attributes.ID_FIRST, Integer.toString(first));
            assertThat(ndjson(m)).doesNotContain("\"id\":");
            first += m.eventCount();
        }
        assertThat(decodeAll(msgs)).isEqualTo(r.events());
    }

    @Test
    void leavingIdsOutMakesMessagesSmaller() {
        DecodeResult r = body(2000);
        MessageEncoder enc = new MessageEncoder(MessageEncoderOptions.defaults().withGzipLevel(6));
        long with = enc.encode(r.events(), TP).stream().mapToLong(BusMessage::billableSize).sum();
        long without = enc.encode(r.events(), r.bodyDigest(), TP).stream().mapToLong(BusMessage::billableSize).sum();
        assertThat(without).isLessThan(with * 9 / 10);
    }

    @Test
    void anIdThatIsNotDerivableTravelsExplicitly() throws IOException {
        DecodeResult r = body(60);
        List<Envelope> events = new ArrayList<>(r.events());
        // A replayed envelope with its own id in the middle: from there on no ordinal matches its position.
        Envelope replayed = TestEnvelopes.envelope(7, "replayed", Severity.WARNING);
        events.add(10, replayed);
        List<BusMessage> msgs = new MessageEncoder(MessageEncoderOptions.defaults()).encode(events, r.bodyDigest(), TP);
        assertThat(msgs).hasSize(1);
        List<String> lines = ndjson(msgs.get(0)).lines().toList();
        assertThat(lines).hasSize(events.size());
        int derived = 0;
        for (int k = 0; k < lines.size(); k++) {
            boolean derivable = events.get(k).id().equals(EventIds.eventId(r.bodyDigest(), k));
            derived += derivable ? 1 : 0;
            assertThat(lines.get(k).startsWith("{\"id\":\"" + events.get(k).id() + "\"")).as("line %d", k).isEqualTo(!derivable);
        }
        assertThat(derived).isEqualTo(10);
        assertThat(lines.get(10)).contains(replayed.id());
        assertThat(decodeAll(msgs)).isEqualTo(events);
    }

    @Test
    void withoutADigestOrWithAnotherBodysDigestEveryIdIsWritten() throws IOException {
        DecodeResult r = body(50);
        byte[] other = EventIds.bodyDigest(new byte[] {1, 2, 3}, 0, 3);
        for (byte[] digest : new byte[][] {null, other}) {
            List<BusMessage> msgs = new MessageEncoder(MessageEncoderOptions.defaults()).encode(r.events(), digest, TP);
            assertThat(msgs.get(0).attributes()).doesNotContainKeys(Attributes.ID_DIGEST, Attributes.ID_FIRST);
            assertThat(ndjson(msgs.get(0)).lines()).hasSize(r.events().size()).allSatisfy(l -> assertThat(l).startsWith("{\"id\":"));
            assertThat(decodeAll(msgs)).isEqualTo(r.events());
        }
    }

    @Test
    void levelZeroSendsPlainNdjsonWithEveryId() throws IOException {
        DecodeResult r = body(50);
        List<BusMessage> msgs = new MessageEncoder(MessageEncoderOptions.defaults().withGzipLevel(0))
                .encode(r.events(), r.bodyDigest(), TP);
        assertThat(msgs.get(0).attributes()).doesNotContainKey(Attributes.ID_DIGEST)
                .containsEntry(Attributes.ENCODING, Attributes.ENCODING_NDJSON);
        assertThat(msgs.get(0).data()[0]).as("no gzip framing").isEqualTo((byte) '{');
        assertThat(ndjson(msgs.get(0)).lines()).allSatisfy(l -> assertThat(l).startsWith("{\"id\":"));
        assertThat(decodeAll(msgs)).isEqualTo(r.events());
    }

    @Test
    void eventModeKeepsItsIds() {
        DecodeResult r = body(5);
        List<BusMessage> msgs = MessageEncoderTest.EVENT.encode(r.events(), r.bodyDigest(), TP);
        assertThat(msgs).allSatisfy(m -> {
            assertThat(m.attributes()).doesNotContainKey(Attributes.ID_DIGEST);
            assertThat(new String(m.data(), StandardCharsets.UTF_8)).startsWith("{\"id\":");
        });
        assertThat(decodeAll(msgs)).isEqualTo(r.events());
    }

    @Test
    void anOversizeStubCarriesItsIdAndItsNeighboursStillDeriveTheirs() {
        // Base64 of random bytes beyond a message even compressed: the bridge's path replaces it by a stub.
        byte[] noise = new byte[10_000_000];
        new java.util.Random(1).nextBytes(noise);
        String body = "{\"_raw\":\"a\"}\n{\"_raw\":\"" + java.util.Base64.getEncoder().encodeToString(noise)
                + "\"}\n{\"_raw\":\"c\"}\n";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        DecodeResult r = CRIBL.decode(bytes, 0, bytes.length, TestEnvelopes.RECEIVED);
        MessageEncoder.Encoded enc = new MessageEncoder(MessageEncoderOptions.defaults())
                .encodeKeepingOversize(r.events(), r.bodyDigest(), TP);
        assertThat(enc.stubbed()).isEqualTo(1);
        List<Envelope> back = decodeAll(enc.messages());
        assertThat(back).extracting(Envelope::id).containsExactlyElementsOf(r.events().stream().map(Envelope::id).toList());
        assertThat(back.get(0)).isEqualTo(r.events().get(0));
        assertThat(back.get(2)).isEqualTo(r.events().get(2));
        BusMessage stub = enc.messages().stream().filter(m -> m.eventIds().contains(r.events().get(1).id())).findFirst().orElseThrow();
        assertThat(stub.attributes()).doesNotContainKey(Attributes.ID_DIGEST);
    }

    @Test
    void messagesOfTheOldFormatStillDecode() throws IOException {
        // As encoders before id_digest wrote them: every line with its id, no id attributes.
        DecodeResult r = body(30);
        ByteArrayOutputStream nd = new ByteArrayOutputStream();
        EnvelopeCodec.writeNdjson(r.events(), nd);
        Map<String, String> attrs = Map.of("schema", "1", "encoding", "ndjson+gzip", "count", Integer.toString(r.events().size()),
                "max_severity", "error");
        assertThat(MessageDecoder.decode(gzip(nd.toByteArray()), attrs)).isEqualTo(r.events());
    }

    @Test
    void badIdAttributesAreRefusedAsUndecodable() throws IOException {
        DecodeResult r = body(3);
        BusMessage m = new MessageEncoder(MessageEncoderOptions.defaults()).encode(r.events(), r.bodyDigest(), TP).get(0);
        String hex = m.attributes().get(Attributes.ID_DIGEST);
        List<Map<String, String>> bad = List.of(
                without(m.attributes(), Attributes.ID_DIGEST),
                without(m.attributes(), Attributes.ID_FIRST),
                with(m.attributes(), Attributes.ID_DIGEST, hex.substring(1)),
                with(m.attributes(), Attributes.ID_DIGEST, "z" + hex.substring(1)),
                with(m.attributes(), Attributes.ID_FIRST, "-1"),
                with(m.attributes(), Attributes.ID_FIRST, "+0"),
                with(m.attributes(), Attributes.ID_FIRST, "99999999999"),
                with(m.attributes(), Attributes.ID_FIRST, Integer.toString(Integer.MAX_VALUE)));
        for (Map<String, String> attrs : bad) {
            assertThatThrownBy(() -> MessageDecoder.decode(m.data(), attrs)).as(attrs.toString())
                    .isInstanceOf(MessageDecodeException.class);
        }
        // Without the attributes the id-less lines are invalid envelopes: never a made-up id.
        Map<String, String> none = without(without(m.attributes(), Attributes.ID_DIGEST), Attributes.ID_FIRST);
        assertThatThrownBy(() -> MessageDecoder.decode(m.data(), none)).isInstanceOf(MessageDecodeException.class)
                .hasMessageContaining("missing 'id'");
        // Another first ordinal derives other ids: the attributes, not the position, decide.
        List<Envelope> shifted = MessageDecoder.decode(m.data(), with(m.attributes(), Attributes.ID_FIRST, "1"));
        assertThat(shifted.get(0).id()).isEqualTo(r.events().get(1).id());
    }

    private static Map<String, String> with(Map<String, String> a, String k, String v) {
        Map<String, String> m = new HashMap<>(a);
        m.put(k, v);
        return m;
    }

    private static Map<String, String> without(Map<String, String> a, String k) {
        Map<String, String> m = new HashMap<>(a);
        m.remove(k);
        return m;
    }

    private static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(b);
        }
        return out.toByteArray();
    }
}
