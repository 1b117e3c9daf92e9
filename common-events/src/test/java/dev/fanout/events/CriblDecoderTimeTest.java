package dev.fanout.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.DoubleNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The exact-text fast path for float {@code _time} must give what the double path gives. */
class CriblDecoderTimeTest {

    private static final Instant RECEIVED = Instant.parse("2026-11-23T19:00:00Z");

    private static Envelope decodeOne(String time) {
        byte[] b = ("{\"_time\":" + time + ",\"_raw\":\"x\"}").getBytes(StandardCharsets.UTF_8);
        List<Envelope> events = new CriblDecoder(CriblDecoderOptions.defaults()).decode(b, 0, b.length, RECEIVED).events();
        assertThat(events).hasSize(1);
        return events.get(0);
    }

    @Test
    void floatTimesMatchTheDoublePath() {
        List<String> times = new ArrayList<>(List.of("0.5", "0.000001", "1732371234.567", "1732371234.999999",
                "2147483647.999999", "2147483647.1", "2147483648.5", "1732371234.1234567", "1732371234.100",
                "999999999.000001", "12345678901.5", "1.7323712345e9", "1732371234.0"));
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < 20_000; i++) {
            long sec = r.nextInt(4) == 0 ? r.nextLong(0, 1L << 31) : r.nextLong(1_600_000_000L, 2_000_000_000L);
            int digits = r.nextInt(1, 8);
            StringBuilder f = new StringBuilder();
            for (int k = 0; k < digits; k++) {
                f.append((char) ('0' + r.nextInt(10)));
            }
            times.add(sec + "." + f);
        }
        for (String t : times) {
            Envelope e = decodeOne(t);
            Instant viaDouble = CriblDecoder.eventTime(DoubleNode.valueOf(Double.parseDouble(t)));
            assertThat(e.time()).as(t).isEqualTo(viaDouble);
            assertThat(e.timeSource()).isEqualTo(Envelope.TimeSource.EVENT);
            assertThat(e.fields().has("_time")).isFalse();
        }
    }

    @Test
    void unusableFloatTimesStillFallBackAndAreKept() {
        Envelope e = decodeOne("-1.5");
        assertThat(e.time()).isEqualTo(RECEIVED);
        assertThat(e.timeSource()).isEqualTo(Envelope.TimeSource.RECEIVED);
        assertThat(e.fields().get("_time").doubleValue()).isEqualTo(-1.5);

        Envelope late = decodeOne("32503680000.5");
        assertThat(late.timeSource()).isEqualTo(Envelope.TimeSource.RECEIVED);
        assertThat(late.fields().get("_time").doubleValue()).isEqualTo(32503680000.5);
    }

    @Test
    void theLastTimeFieldWins() {
        byte[] b = "{\"_time\":1732371234.5,\"_time\":\"bad\"}\n{\"_time\":\"bad\",\"_time\":1732371234.25}\n"
                .getBytes(StandardCharsets.UTF_8);
        List<Envelope> events = new CriblDecoder(CriblDecoderOptions.defaults()).decode(b, 0, b.length, RECEIVED).events();
        assertThat(events.get(0).timeSource()).isEqualTo(Envelope.TimeSource.RECEIVED);
        assertThat(events.get(0).fields().get("_time").textValue()).isEqualTo("bad");
        assertThat(events.get(1).time()).isEqualTo(Instant.parse("2024-11-23T14:13:54.250Z"));
        assertThat(events.get(1).fields().has("_time")).isFalse();
    }
}
