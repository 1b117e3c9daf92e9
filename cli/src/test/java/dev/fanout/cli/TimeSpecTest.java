package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class TimeSpecTest {
    static final Instant NOW = Instant.parse("2026-11-23T07:45:10Z");

    @Test
    void acceptsRfc3339DatesNowAndRelativeTimes() {
        assertThat(TimeSpec.parse("2026-11-23T07:00:00Z", NOW)).isEqualTo(Instant.parse("2026-11-23T07:00:00Z"));
        assertThat(TimeSpec.parse("2026-11-23T09:00:00+02:00", NOW)).isEqualTo(Instant.parse("2026-11-23T07:00:00Z"));
        assertThat(TimeSpec.parse("2026-11-23", NOW)).isEqualTo(Instant.parse("2026-11-23T00:00:00Z"));
        assertThat(TimeSpec.parse("now", NOW)).isEqualTo(NOW);
        assertThat(TimeSpec.parse("-2h", NOW)).isEqualTo(NOW.minusSeconds(7200));
        assertThat(TimeSpec.parse("-1h30m", NOW)).isEqualTo(NOW.minusSeconds(5400));
        assertThat(TimeSpec.parse("-7d", NOW)).isEqualTo(NOW.minusSeconds(7 * 86400));
        assertThat(TimeSpec.isRelative("-90s")).isTrue();
        assertThat(TimeSpec.isRelative("2026-11-23")).isFalse();
    }

    @Test
    void rejectsEverythingElse() {
        for (String bad : new String[] {"yesterday", "2h", "-2x", "2026-11-23T07:00:00", "+1h", ""}) {
            assertThatThrownBy(() -> TimeSpec.parse(bad, NOW)).as(bad).isInstanceOf(UsageException.class);
        }
    }
}
