package dev.fanout.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CriblDecoderTest {

    static final Instant RECEIVED = Instant.parse("2026-11-23T19:00:00.250Z");
    static final String E1 = "{\"_raw\":\"line one\",\"_time\":1732371234.567,\"host\":\"web-1\",\"source\":\"/var/log/a\",\"sourcetype\":\"nginx\",\"index\":\"main\",\"cribl_pipe\":\"p1\"}";
    static final String E2 = "{\"_raw\":\"line two\",\"_time\":1732371235,\"host\":\"web-2\",\"level\":\"warn\"}";

    private final CriblDecoder plain = new CriblDecoder(CriblDecoderOptions.defaults());
    private final CriblDecoder items = new CriblDecoder(new CriblDecoderOptions(Optional.of("/items")));

    static DecodeResult decode(CriblDecoder d, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return d.decode(b, 0, b.length, RECEIVED);
    }

    @Test
    void ndjsonMapsEveryCriblField() {
        DecodeResult r = decode(plain, E1 + "\n" + E2 + "\n");
        assertThat(r.format()).isEqualTo("ndjson");
        assertThat(r.malformed()).isZero();
        assertThat(r.events()).hasSize(2);
        Envelope a = r.events().get(0);
        assertThat(a.raw()).isEqualTo("line one");
        assertThat(a.time()).isEqualTo(Instant.parse("2024-11-23T14:13:54.567Z"));
        assertThat(a.timeSource()).isEqualTo(Envelope.TimeSource.EVENT);
        assertThat(a.receivedAt()).isEqualTo(RECEIVED);
        assertThat(a.host()).isEqualTo("web-1");
        assertThat(a.source()).isEqualTo("/var/log/a");
        assertThat(a.sourcetype()).isEqualTo("nginx");
        assertThat(a.index()).isEqualTo("main");
        assertThat(a.severity()).isEqualTo(Severity.INFO);
        assertThat(a.schema()).isEqualTo(1);
        assertThat(a.parseError()).isNull();
        assertThat(a.fields().toString()).isEqualTo("{\"cribl_pipe\":\"p1\"}");
        Envelope b = r.events().get(1);
        assertThat(b.time()).isEqualTo(Instant.parse("2024-11-23T14:13:55Z"));
        assertThat(b.severity()).isEqualTo(Severity.WARNING);
        assertThat(b.fields().get("level").asText()).isEqualTo("warn");
        assertThat(b.source()).isNull();
    }

    @Test
    void crlfAndBlankLinesAreAccepted() {
        DecodeResult r = decode(plain, "\r\n" + E1 + "\r\n\r\n   \r\n" + E2 + "\r\n\r\n");
        assertThat(r.events()).extracting(Envelope::raw).containsExactly("line one", "line two");
        assertThat(r.malformed()).isZero();
    }

    @Test
    void crlfAndBlankLinesInLineModeToo() {
        DecodeResult r = decode(plain, E1 + "\r\n\r\nnot json\r\n  \r\n" + E2 + "\r\n");
        assertThat(r.format()).isEqualTo("lines");
        assertThat(r.events()).extracting(Envelope::raw).containsExactly("line one", "not json", "line two");
        assertThat(r.malformed()).isEqualTo(1);
    }

    @Test
    void jsonArray() {
        DecodeResult r = decode(plain, "  [" + E1 + ",\n" + E2 + "]\n");
        assertThat(r.format()).isEqualTo("json-array");
        assertThat(r.events()).extracting(Envelope::raw).containsExactly("line one", "line two");
    }

    @Test
    void jsonArrayWithNonObjectElementKeepsIt() {
        DecodeResult r = decode(plain, "[" + E1 + ", 42, \"x\", " + E2 + "]");
        assertThat(r.format()).isEqualTo("json-array");
        assertThat(r.malformed()).isEqualTo(2);
        assertThat(r.events()).extracting(Envelope::raw).containsExactly("line one", "42", "\"x\"", "line two");
        assertThat(r.events().get(1).parseError()).contains("not a JSON object");
    }

    @Test
    void brokenJsonArrayFallsBackToLinesAndKeepsGoodElements() {
        String body = "[\n" + E1 + ",\n{\"_raw\": broken},\n" + E2 + "\n]\n";
        DecodeResult r = decode(plain, body);
        assertThat(r.format()).isEqualTo("lines");
        assertThat(r.malformed()).isEqualTo(1);
        assertThat(r.events()).extracting(Envelope::raw).containsExactly("line one", "{\"_raw\": broken},", "line two");
    }

    @Test
    void singleObjectAndPrettyPrintedObject() {
        DecodeResult r = decode(plain, E1);
        assertThat(r.format()).isEqualTo("json-object");
        assertThat(r.events()).hasSize(1);
        String pretty = "{\n  \"_raw\": \"pretty\",\n  \"_time\": 1732371234,\n  \"nested\": {\n    \"a\": [1, 2]\n  }\n}\n";
        DecodeResult p = decode(plain, pretty);
        assertThat(p.format()).isEqualTo("json-object");
        assertThat(p.malformed()).isZero();
        assertThat(p.events().get(0).raw()).isEqualTo("pretty");
        assertThat(p.events().get(0).fields().toString()).isEqualTo("{\"nested\":{\"a\":[1,2]}}");
    }

    @Test
    void concatenatedObjectsWithoutNewlines() {
        DecodeResult r = decode(plain, E1 + E2 + " " + E1);
        assertThat(r.format()).isEqualTo("ndjson");
        assertThat(r.events()).hasSize(3);
    }

    @Test
    void wrapperPointerYieldsTheArrayEvents() {
        DecodeResult r = decode(items, "{\"items\":[" + E1 + "," + E2 + "]}");
        assertThat(r.format()).isEqualTo("wrapper:/items");
        assertThat(r.events()).extracting(Envelope::raw).containsExactly("line one", "line two");
        assertThat(r.events().get(0).time()).isEqualTo(Instant.parse("2024-11-23T14:13:54.567Z"));
        assertThat(r.events().get(0).fields().toString()).isEqualTo("{\"cribl_pipe\":\"p1\"}");
    }

    @Test
    void nestedWrapperPointerAndNonObjectItems() {
        CriblDecoder d = new CriblDecoder(new CriblDecoderOptions(Optional.of("/batch/events")));
        DecodeResult r = decode(d, "{\"batch\":{\"events\":[" + E1 + ",\"oops\"]}}");
        assertThat(r.format()).isEqualTo("wrapper:/batch/events");
        assertThat(r.malformed()).isEqualTo(1);
        assertThat(r.events().get(1).raw()).isEqualTo("\"oops\"");
    }

    @Test
    void wrapperPointerMissingMeansSingleEvent() {
        DecodeResult r = decode(items, E1);
        assertThat(r.format()).isEqualTo("json-object");
        assertThat(r.events()).hasSize(1);
        assertThat(r.events().get(0).raw()).isEqualTo("line one");
        // Not an array at the pointer: also one plain event.
        DecodeResult s = decode(items, "{\"items\":\"nope\",\"_raw\":\"x\"}");
        assertThat(s.format()).isEqualTo("json-object");
        assertThat(s.events().get(0).fields().get("items").asText()).isEqualTo("nope");
    }

    @Test
    void wrapperPointerIsIgnoredForNdjson() {
        DecodeResult r = decode(items, E1 + "\n" + E2 + "\n");
        assertThat(r.format()).isEqualTo("ndjson");
        assertThat(r.events()).hasSize(2);
    }

    @Test
    void invalidWrapperPointerIsRejectedAtConstruction() {
        assertThatThrownBy(() -> new CriblDecoderOptions(Optional.of("items"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void malformedLinesAreKeptWithRawAndParseErrorAndCounted() {
        String body = E1 + "\n{\"_raw\":\"cut\n[1,2]\n\"just a string\"\n" + E2 + "\n{\"a\":1} trailing\n";
        DecodeResult r = decode(plain, body);
        assertThat(r.format()).isEqualTo("lines");
        assertThat(r.events()).hasSize(6);
        assertThat(r.malformed()).isEqualTo(4);
        List<Envelope> ev = r.events();
        assertThat(ev.get(0).malformed()).isFalse();
        assertThat(ev.get(1).raw()).isEqualTo("{\"_raw\":\"cut");
        assertThat(ev.get(1).parseError()).startsWith("invalid JSON");
        assertThat(ev.get(2).raw()).isEqualTo("[1,2]");
        assertThat(ev.get(2).parseError()).isEqualTo("not a JSON object (array)");
        assertThat(ev.get(3).raw()).isEqualTo("\"just a string\"");
        assertThat(ev.get(4).raw()).isEqualTo("line two");
        assertThat(ev.get(5).raw()).isEqualTo("{\"a\":1} trailing");
        for (Envelope m : List.of(ev.get(1), ev.get(2), ev.get(3), ev.get(5))) {
            assertThat(m.malformed()).isTrue();
            assertThat(m.severity()).isEqualTo(Severity.INFO);
            assertThat(m.time()).isEqualTo(RECEIVED);
            assertThat(m.timeSource()).isEqualTo(Envelope.TimeSource.RECEIVED);
            assertThat(m.fields().isEmpty()).isTrue();
            assertThat(m.parseError()).hasSizeLessThanOrEqualTo(200).doesNotContain("\n");
        }
        // Ordinals are positions among all kept events, malformed included.
        byte[] digest = EventIds.bodyDigest(body.getBytes(StandardCharsets.UTF_8), 0, body.getBytes(StandardCharsets.UTF_8).length);
        for (int i = 0; i < ev.size(); i++) {
            assertThat(ev.get(i).id()).isEqualTo(EventIds.eventId(digest, i));
        }
    }

    @Test
    void plainTextBodyIsKeptLineByLine() {
        DecodeResult r = decode(plain, "hello\nworld\n");
        assertThat(r.format()).isEqualTo("lines");
        assertThat(r.malformed()).isEqualTo(2);
        assertThat(r.events()).extracting(Envelope::raw).containsExactly("hello", "world");
    }

    @Test
    void emptyAndWhitespaceBodies() {
        assertThat(decode(plain, "").events()).isEmpty();
        assertThat(decode(plain, "").format()).isEqualTo("empty");
        assertThat(decode(plain, " \r\n\n\t ").events()).isEmpty();
        assertThat(decode(plain, "\uFEFF\n").format()).isEqualTo("empty");
    }

    @Test
    void bomIsSkipped() {
        DecodeResult r = decode(plain, "\uFEFF" + E1 + "\n" + E2);
        assertThat(r.format()).isEqualTo("ndjson");
        assertThat(r.events()).hasSize(2);
        DecodeResult lines = decode(plain, "\uFEFFnot json\n" + E2);
        assertThat(lines.events().get(0).raw()).isEqualTo("not json");
    }

    @Test
    void onlyTheLineThatIsNotUtf8BecomesMalformedWithItsExactBytes() {
        byte[] body = (E1 + "\n\"caf\u00e9\"\n" + E2 + "\n").getBytes(StandardCharsets.UTF_8);
        int bad = E1.length() + 1 + 5; // continuation byte of the two-byte é
        body[bad] = (byte) 0x41; // lead byte 0xC3 now followed by 'A': not UTF-8
        DecodeResult r = plain.decode(body, 0, body.length, RECEIVED);
        assertThat(r.format()).isEqualTo("lines");
        assertThat(r.events()).hasSize(3);
        assertThat(r.malformed()).isEqualTo(1);
        assertThat(r.events().get(0).malformed()).isFalse();
        assertThat(r.events().get(2).malformed()).isFalse();
        Envelope m = r.events().get(1);
        assertThat(m.parseError()).contains("invalid UTF-8").contains("column 5");
        assertThat(m.raw()).isEqualTo("\"caf\uFFFDA\"");
        byte[] exact = java.util.Arrays.copyOfRange(body, E1.length() + 1, E1.length() + 8);
        assertThat(java.util.Base64.getDecoder().decode(m.fields().get(CriblDecoder.RAW_BASE64_FIELD).asText()))
                .isEqualTo(exact);
    }

    @Test
    void surrogatesAndOverlongsAreKeptAsMalformedLines() {
        byte[] surrogate = {'{', '}', '\n', (byte) 0xED, (byte) 0xA0, (byte) 0x80};
        DecodeResult r = plain.decode(surrogate, 0, surrogate.length, RECEIVED);
        assertThat(r.events()).hasSize(2);
        assertThat(r.events().get(0).malformed()).isFalse();
        assertThat(r.events().get(1).parseError()).contains("UTF-8");
        byte[] overlong = {(byte) 0xC0, (byte) 0xAF};
        DecodeResult o = plain.decode(overlong, 0, overlong.length, RECEIVED);
        assertThat(o.malformed()).isEqualTo(1);
        assertThat(o.events().get(0).fields().get(CriblDecoder.RAW_BASE64_FIELD).asText()).isEqualTo("wK8=");
    }

    @Test
    void offsetAndLengthSelectTheBody() {
        byte[] b = ("xxxx" + E1 + "yyyy").getBytes(StandardCharsets.UTF_8);
        DecodeResult r = plain.decode(b, 4, b.length - 8, RECEIVED);
        assertThat(r.events()).hasSize(1);
        byte[] exact = E1.getBytes(StandardCharsets.UTF_8);
        assertThat(r.events().get(0).id()).isEqualTo(plain.decode(exact, 0, exact.length, RECEIVED).events().get(0).id());
    }

    @Test
    void unicodeSurvives() {
        String e = "{\"_raw\":\"Grüße 日本語 😀 \\u00e9\",\"host\":\"hôte-①\",\"msg\":\"κόσμε\"}";
        Envelope env = decode(plain, e).events().get(0);
        assertThat(env.raw()).isEqualTo("Grüße 日本語 😀 é");
        assertThat(env.host()).isEqualTo("hôte-①");
        assertThat(env.fields().get("msg").asText()).isEqualTo("κόσμε");
    }

    @Test
    void escapedNewlinesInRawStayInsideOneEvent() {
        String body = "{\"_raw\":\"first line\\nsecond line\\r\\nthird\"}\n" + E2 + "\n";
        DecodeResult r = decode(plain, body);
        assertThat(r.malformed()).isZero();
        assertThat(r.events()).hasSize(2);
        assertThat(r.events().get(0).raw()).isEqualTo("first line\nsecond line\r\nthird");
    }

    @Test
    void nonStringRawAndMetadataAreStringified() {
        Envelope e = decode(plain, "{\"_raw\":{\"a\":[1,true]},\"host\":42,\"source\":true,\"sourcetype\":null,\"index\":[\"x\"]}")
                .events().get(0);
        assertThat(e.raw()).isEqualTo("{\"a\":[1,true]}");
        assertThat(e.host()).isEqualTo("42");
        assertThat(e.source()).isEqualTo("true");
        assertThat(e.sourcetype()).isNull();
        assertThat(e.index()).isEqualTo("[\"x\"]");
    }

    @Test
    void doubleUnderscoreFieldsAreDropped() {
        Envelope e = decode(plain, "{\"_raw\":\"r\",\"__url\":\"http://x\",\"__headers\":{\"a\":\"b\"},\"_other\":1,\"keep\":2}")
                .events().get(0);
        assertThat(e.fields().toString()).isEqualTo("{\"_other\":1,\"keep\":2}");
    }

    @Test
    void missingTimeUsesReceiveTime() {
        Envelope e = decode(plain, "{\"_raw\":\"r\"}").events().get(0);
        assertThat(e.time()).isEqualTo(RECEIVED);
        assertThat(e.timeSource()).isEqualTo(Envelope.TimeSource.RECEIVED);
        assertThat(e.fields().has("_time")).isFalse();
    }

    @Test
    void stringTimeIsParsedExactly() {
        Envelope e = decode(plain, "{\"_time\":\" 1732371234.123456789 \"}").events().get(0);
        assertThat(e.time()).isEqualTo(Instant.parse("2024-11-23T14:13:54.123456789Z"));
        assertThat(e.timeSource()).isEqualTo(Envelope.TimeSource.EVENT);
        assertThat(decode(plain, "{\"_time\":\"1732371234\"}").events().get(0).time())
                .isEqualTo(Instant.ofEpochSecond(1732371234L));
        assertThat(decode(plain, "{\"_time\":\"1.732371234E9\"}").events().get(0).time())
                .isEqualTo(Instant.ofEpochSecond(1732371234L));
    }

    @Test
    void fractionalNumericTimeKeepsMicroseconds() {
        Envelope e = decode(plain, "{\"_time\":1732371234.000123}").events().get(0);
        assertThat(e.time()).isEqualTo(Instant.parse("2024-11-23T14:13:54.000123Z"));
    }

    @Test
    void invalidTimesFallBackToReceiveTimeAndAreKeptInFields() {
        for (String t : List.of("\"yesterday\"", "-5", "1732371234567", "true", "{\"s\":1}", "\"\"", "1e30", "null")) {
            Envelope e = decode(plain, "{\"_raw\":\"r\",\"_time\":" + t + "}").events().get(0);
            assertThat(e.time()).as(t).isEqualTo(RECEIVED);
            assertThat(e.timeSource()).as(t).isEqualTo(Envelope.TimeSource.RECEIVED);
            assertThat(e.fields().get("_time")).as(t).isNotNull();
            assertThat(e.fields().get("_time").toString()).as(t).isEqualTo(
                    EnvelopeCodec.mapper().valueToTree(parse(t)).toString());
        }
    }

    private static Object parse(String json) {
        try {
            return EnvelopeCodec.mapper().readTree(json);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void oneMegabyteEvent() {
        String big = "x".repeat(1024 * 1024);
        DecodeResult r = decode(plain, "{\"_raw\":\"" + big + "\",\"_time\":1732371234}\n" + E2);
        assertThat(r.malformed()).isZero();
        assertThat(r.events()).hasSize(2);
        assertThat(r.events().get(0).raw()).hasSize(1024 * 1024);
    }

    @Test
    void severityIsNormalisedFromTheEvent() {
        assertThat(decode(plain, "{\"_raw\":\"r\",\"log\":{\"level\":\"ERR\"}}").events().get(0).severity())
                .isEqualTo(Severity.ERROR);
    }
}
