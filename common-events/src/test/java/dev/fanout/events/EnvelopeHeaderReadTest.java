package dev.fanout.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link EnvelopeCodec#readHeader} must pass exactly the lines the full read passes (the replay
 * endpoint copies what it passes into messages the sinks read in full): a differential check over
 * valid lines and many mutations of them.
 */
class EnvelopeHeaderReadTest {

    private static final String ALPHABET = "{}[]\",:\\ntrue false null 0123456789.eE+-abcxyz\t\r\u00e9\u20ac\uD83D\uDE00";

    private static Envelope full(byte[] b) {
        try {
            List<Envelope> all = EnvelopeCodec.readNdjson(b, 0, b.length);
            return all.size() == 1 ? all.get(0) : null;
        } catch (Exception e) {
            return null;
        }
    }

    private static Envelope header(byte[] b) {
        try {
            return EnvelopeCodec.readHeader(b, 0, b.length);
        } catch (Exception e) {
            return null;
        }
    }

    private static void assertSameVerdict(byte[] line, String what) {
        Envelope f = full(line);
        Envelope h = header(line);
        String text = new String(line, StandardCharsets.UTF_8);
        assertThat(h != null).as("%s: %s", what, text).isEqualTo(f != null);
        if (f != null) {
            assertThat(h.id()).isEqualTo(f.id());
            assertThat(h.schema()).isEqualTo(f.schema());
            assertThat(h.time()).isEqualTo(f.time());
            assertThat(h.receivedAt()).isEqualTo(f.receivedAt());
            assertThat(h.timeSource()).isEqualTo(f.timeSource());
            assertThat(h.severity()).isEqualTo(f.severity());
            assertThat(h.raw()).isNull();
            assertThat(h.fields()).isEmpty();
        }
    }

    @Test
    void validLinesAreReadWithTheirHeader() {
        for (Envelope e : TestEnvelopes.many(200, 300)) {
            byte[] line = EnvelopeCodec.toJson(e);
            assertSameVerdict(line, "valid");
            assertThat(header(line).id()).isEqualTo(e.id());
        }
    }

    @Test
    void mutatedLinesGetTheSameVerdictAsTheFullRead() {
        Random r = new Random(20261202);
        List<Envelope> seeds = TestEnvelopes.many(50, 120);
        int accepted = 0;
        int checked = 0;
        for (int round = 0; round < 40_000; round++) {
            String s = new String(EnvelopeCodec.toJson(seeds.get(r.nextInt(seeds.size()))), StandardCharsets.UTF_8);
            StringBuilder b = new StringBuilder(s);
            int edits = 1 + r.nextInt(3);
            for (int k = 0; k < edits && b.length() > 0; k++) {
                int at = r.nextInt(b.length());
                switch (r.nextInt(5)) {
                    case 0 -> b.deleteCharAt(at);
                    case 1 -> b.insert(at, ALPHABET.charAt(r.nextInt(ALPHABET.length())));
                    case 2 -> b.setCharAt(at, ALPHABET.charAt(r.nextInt(ALPHABET.length())));
                    case 3 -> b.setLength(at);
                    default -> {
                        // A value of another type where a field's value starts.
                        int colon = b.indexOf(":", at);
                        if (colon > 0) {
                            String[] values = {"1", "null", "{}", "[1,{\"a\":[]}]", "\"x\"", "true", "-0.5e3", "{\"k\":\"\\u00e9\"}"};
                            b.insert(colon + 1, values[r.nextInt(values.length)] + ",\"zz\":");
                        }
                    }
                }
            }
            byte[] line = b.toString().getBytes(StandardCharsets.UTF_8);
            // Java's encoder replaces a lone surrogate with '?': the bytes are always well-formed.
            assertThat(Utf8.firstInvalid(line, 0, line.length)).isNegative();
            assertSameVerdict(line, "round " + round);
            checked++;
            if (full(line) != null) {
                accepted++;
            }
        }
        // Both verdicts occur often enough for the comparison to mean something.
        assertThat(accepted).isBetween(checked / 20, checked - checked / 20);
    }
}
