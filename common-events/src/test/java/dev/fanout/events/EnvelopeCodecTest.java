package dev.fanout.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class EnvelopeCodecTest {

    @Test
    void fieldsJsonIsWhatTheMapperAndTheEnvelopeWriterWrite() throws IOException {
        String json = "{\"s\":\"t\\u00e9\\\"x\\n\",\"i\":-7,\"l\":12345678901234,\"big\":123456789012345678901234567890,"
                + "\"d\":0.1,\"e\":1.5e300,\"huge\":1e400,\"b\":true,\"n\":null,\"a\":[1,[],{},\"\\ud83d\\ude00\"],"
                + "\"o\":{\"k\":{\"deep\":[false]}},\"\":\"empty key\"}";
        Envelope e = EnvelopeCodec.fromJson(("{\"id\":\"x\",\"schema\":1,\"time\":\"2026-11-23T07:00:00Z\","
                + "\"received_at\":\"2026-11-23T07:00:01Z\",\"severity\":\"info\",\"fields\":" + json + "}")
                .getBytes(StandardCharsets.UTF_8));
        byte[] ours = EnvelopeCodec.fieldsJson(e.fields());
        assertThat(new String(ours, StandardCharsets.UTF_8))
                .isEqualTo(new String(EnvelopeCodec.mapper().writeValueAsBytes(e.fields()), StandardCharsets.UTF_8));
        String envelope = new String(EnvelopeCodec.toJson(e), StandardCharsets.UTF_8);
        assertThat(envelope).contains("\"fields\":" + new String(ours, StandardCharsets.UTF_8));
        for (Envelope t : TestEnvelopes.many(50, 80)) {
            assertThat(EnvelopeCodec.fieldsJson(t.fields())).isEqualTo(EnvelopeCodec.mapper().writeValueAsBytes(t.fields()));
        }
    }

    @Test
    void wireNamesAndOmittedNulls() throws IOException {
        Envelope e = TestEnvelopes.envelope(1, "raw text", Severity.WARNING);
        JsonNode n = EnvelopeCodec.mapper().readTree(EnvelopeCodec.toJson(e));
        assertThat(n.get("id").asText()).isEqualTo(e.id());
        assertThat(n.get("schema").asInt()).isEqualTo(1);
        assertThat(n.get("time").asText()).isEqualTo("2024-11-23T14:13:55.567Z");
        assertThat(n.get("time_source").asText()).isEqualTo("event");
        assertThat(n.get("received_at").asText()).isEqualTo("2026-11-23T19:00:00.123456Z");
        assertThat(n.get("host").asText()).isEqualTo("web-1");
        assertThat(n.get("severity").asText()).isEqualTo("warning");
        assertThat(n.get("raw").asText()).isEqualTo("raw text");
        assertThat(n.get("fields").isObject()).isTrue();
        assertThat(n.has("parse_error")).isFalse();

        JsonNode m = EnvelopeCodec.mapper().readTree(EnvelopeCodec.toJson(TestEnvelopes.malformed(2)));
        assertThat(m.has("host")).isFalse();
        assertThat(m.has("source")).isFalse();
        assertThat(m.has("sourcetype")).isFalse();
        assertThat(m.has("index")).isFalse();
        assertThat(m.get("time_source").asText()).isEqualTo("received");
        assertThat(m.get("parse_error").asText()).startsWith("invalid JSON");
    }

    @Test
    void timestampsAreRfc3339UtcWithFractionAsNeeded() {
        assertThat(Timestamps.format(Instant.parse("2024-11-23T14:13:54Z"))).isEqualTo("2024-11-23T14:13:54Z");
        assertThat(Timestamps.format(Instant.parse("2024-11-23T14:13:54.500Z"))).isEqualTo("2024-11-23T14:13:54.500Z");
        assertThat(Timestamps.format(Instant.parse("2024-02-29T00:00:00.000001Z"))).isEqualTo("2024-02-29T00:00:00.000001Z");
        assertThat(Timestamps.format(Instant.parse("1970-01-01T00:00:00.000000001Z"))).isEqualTo("1970-01-01T00:00:00.000000001Z");
        // The fast path must agree with the JDK everywhere; sample a wide range.
        java.util.Random r = new java.util.Random(42);
        for (int i = 0; i < 20_000; i++) {
            long sec = r.nextLong() % 253402300799L;
            int nano = switch (i % 4) {
                case 0 -> 0;
                case 1 -> r.nextInt(1000) * 1_000_000;
                case 2 -> r.nextInt(1_000_000) * 1000;
                default -> r.nextInt(1_000_000_000);
            };
            Instant t = Instant.ofEpochSecond(Math.max(sec, -62135596800L), nano);
            assertThat(Timestamps.format(t)).isEqualTo(t.toString());
            assertThat(Timestamps.parse(t.toString())).isEqualTo(t);
        }
        assertThat(Timestamps.format(Instant.parse("+12000-01-01T00:00:00Z"))).isEqualTo("+12000-01-01T00:00:00Z");
    }

    @Test
    void readerAcceptsOffsetsAndRejectsNonsense() {
        assertThat(Timestamps.parse("2024-11-23T15:13:54.5+01:00")).isEqualTo(Instant.parse("2024-11-23T14:13:54.500Z"));
        assertThatThrownBy(() -> Timestamps.parse("2024-13-23T14:13:54Z")).isInstanceOf(java.time.DateTimeException.class);
        assertThatThrownBy(() -> Timestamps.parse("2023-02-29T14:13:54Z")).isInstanceOf(java.time.DateTimeException.class);
    }

    @Test
    void roundTripEveryField() throws IOException {
        for (Envelope e : List.of(TestEnvelopes.envelope(7, "a \"quoted\"\nline ☃ 😀", Severity.CRITICAL),
                TestEnvelopes.malformed(3))) {
            Envelope back = EnvelopeCodec.fromJson(EnvelopeCodec.toJson(e));
            assertThat(back).isEqualTo(e);
            assertThat(EnvelopeCodec.fromJson(EnvelopeCodec.mapper().readTree(EnvelopeCodec.toJson(e)))).isEqualTo(e);
        }
    }

    @Test
    void decoderOutputRoundTrips() throws IOException {
        String body = "{\"_raw\":\"r\\udc00\",\"_time\":1732371234.25,\"f\":1.5,\"big\":123456789012345678901234567890,"
                + "\"l\":12345678901,\"huge\":1e400,\"neg\":-0.0,\"s\":\"\\u0000\",\"lone\":\"a\\ud800b\",\"o\":{\"a\":[null,false]}}\nbroken\n";
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        for (Envelope e : new CriblDecoder(CriblDecoderOptions.defaults()).decode(b, 0, b.length, Instant.EPOCH).events()) {
            assertThat(EnvelopeCodec.fromJson(EnvelopeCodec.toJson(e))).isEqualTo(e);
        }
    }

    @Test
    void ndjsonWriteAndRead() throws IOException {
        List<Envelope> events = TestEnvelopes.many(5, 100);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write("\n".getBytes(StandardCharsets.UTF_8));
        for (Envelope e : events) {
            EnvelopeCodec.writeNdjsonLine(e, out);
            out.write("\r\n\n".getBytes(StandardCharsets.UTF_8));
        }
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text.lines().filter(l -> !l.isBlank()).count()).isEqualTo(5);
        assertThat(EnvelopeCodec.readNdjson(new ByteArrayInputStream(out.toByteArray()))).isEqualTo(events);

        ByteArrayOutputStream bulk = new ByteArrayOutputStream();
        EnvelopeCodec.writeNdjson(events, bulk);
        String bulkText = bulk.toString(StandardCharsets.UTF_8);
        assertThat(bulkText).isEqualTo(text.replace("\r\n\n", "").replaceFirst("^\n", ""));
        assertThat(bulkText.split("\n", -1)).hasSize(6);
        assertThat(EnvelopeCodec.readNdjson(bulk.toByteArray(), 0, bulk.size())).isEqualTo(events);
    }

    @Test
    void unknownFieldsAreIgnoredAndBadEnvelopesRejected() throws IOException {
        String ok = "{\"id\":\"x\",\"schema\":1,\"time\":\"2024-11-23T14:13:54Z\",\"received_at\":\"2024-11-23T14:13:55Z\","
                + "\"severity\":\"info\",\"future\":{\"a\":1}}";
        Envelope e = EnvelopeCodec.fromJson(ok.getBytes(StandardCharsets.UTF_8));
        assertThat(e.fields().isEmpty()).isTrue();
        assertThat(e.timeSource()).isEqualTo(Envelope.TimeSource.EVENT);
        for (String bad : List.of("[]", "{}", ok.replace("\"info\"", "\"loud\""), ok.replace("\"schema\":1,", ""),
                ok.replace("2024-11-23T14:13:54Z", "yesterday"), ok + "{}", ok.replace("\"id\":\"x\"", "\"id\":5"))) {
            assertThatThrownBy(() -> EnvelopeCodec.fromJson(bad.getBytes(StandardCharsets.UTF_8)))
                    .as(bad).isInstanceOf(IOException.class);
        }
        assertThatThrownBy(() -> EnvelopeCodec.fromJson(EnvelopeCodec.mapper().readTree("{\"id\":\"x\"}")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
