package dev.fanout.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link Timestamps#write} must put exactly {@link Instant#toString()} on the wire, as a JSON string. */
class TimestampsTest {

    interface Write {
        void to(JsonGenerator g) throws IOException;
    }

    private static String json(Write w) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = EnvelopeCodec.factory().createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeFieldName("t");
            w.to(g);
            g.writeEndObject();
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void assertWritesToString(Instant t) throws IOException {
        assertThat(json(g -> Timestamps.write(g, t))).isEqualTo(json(g -> g.writeString(t.toString())));
        assertThat(Timestamps.format(t)).isEqualTo(t.toString());
    }

    @Test
    void edgesOfTheFastPathAndBeyond() throws IOException {
        for (Instant t : List.of(Instant.parse("2024-11-23T14:13:54Z"), Instant.parse("2024-11-23T14:13:54.500Z"),
                Instant.parse("2024-11-24T00:00:00.000001Z"), Instant.parse("1970-01-01T00:00:00.000000001Z"),
                Instant.parse("0001-01-01T00:00:00Z"), Instant.parse("9999-12-31T23:59:59.999999999Z"),
                Instant.parse("+12000-01-01T00:00:00Z"), Instant.parse("-0001-01-01T00:00:00Z"))) {
            assertWritesToString(t);
        }
    }

    @Test
    void alternatingDaysAndEveryFractionLength() throws IOException {
        // The formatter caches the last day; jumping between days must never reuse a stale one.
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 5000; i++) {
            long sec = i % 2 == 0 ? 1732371234L + r.nextInt(200_000) : r.nextLong(-62135596800L, 253402300800L);
            int nano = switch (i % 4) {
                case 0 -> 0;
                case 1 -> r.nextInt(1000) * 1_000_000;
                case 2 -> r.nextInt(1_000_000) * 1000;
                default -> r.nextInt(1_000_000_000);
            };
            assertWritesToString(Instant.ofEpochSecond(sec, nano));
        }
    }
}
