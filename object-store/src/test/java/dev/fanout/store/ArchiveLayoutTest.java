package dev.fanout.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArchiveLayoutTest {

    private final ArchiveLayout layout = new ArchiveLayout("events");
    private final Instant hour = Instant.parse("2026-11-23T07:00:00Z");

    @Test
    void partitionIsUtcHiveStyle() {
        assertThat(ArchiveLayout.partition(Instant.parse("2026-11-23T07:59:59.999Z"))).isEqualTo("dt=2026-11-23/hr=07");
        assertThat(ArchiveLayout.partition(Instant.parse("2026-01-02T23:00:00Z"))).isEqualTo("dt=2026-01-02/hr=23");
        assertThat(ArchiveLayout.hourOf(Instant.parse("2026-11-23T07:59:59.999Z"))).isEqualTo(hour);
        assertThat(ArchiveLayout.hourOf(Instant.parse("1969-12-31T23:30:00Z")))
                .isEqualTo(Instant.parse("1969-12-31T23:00:00Z"));
    }

    @Test
    void keyDependsOnTheIdSetOnly() {
        String key = layout.eventObjectKey(hour, List.of("b", "a", "c"));
        assertThat(key).matches("events/dt=2026-11-23/hr=07/[0-9a-f]{32}\\.ndjson\\.gz");
        assertThat(layout.eventObjectKey(hour, List.of("c", "b", "a", "a"))).isEqualTo(key);
        assertThat(layout.eventObjectKey(hour, List.of("a", "b"))).isNotEqualTo(key);
        // The separator keeps concatenations apart.
        assertThat(layout.eventObjectKey(hour, List.of("ab", "c")))
                .isNotEqualTo(layout.eventObjectKey(hour, List.of("a", "bc")));
        assertThat(layout.eventObjectKey(hour.plusSeconds(3600), List.of("a", "b", "c")))
                .startsWith("events/dt=2026-11-23/hr=08/");
    }

    @Test
    void deadLetterKeysAreDeterministicPerSinkAndHour() {
        DeadLetterLayout dl = DeadLetterLayout.beside(layout, "dead-letter");
        String key = dl.objectKey("archive", hour, List.of("m-1/b", "m-1/a"));
        assertThat(key).matches("dead-letter/sink=archive/dt=2026-11-23/hr=07/[0-9a-f]{32}\\.ndjson\\.gz");
        assertThat(dl.objectKey("archive", hour, List.of("m-1/a", "m-1/b", "m-1/a"))).isEqualTo(key);
        assertThat(dl.objectKey("analytics", hour, List.of("m-1/a", "m-1/b"))).startsWith("dead-letter/sink=analytics/");
        assertThat(dl.objectKey("archive", hour, List.of("m-1/a"))).isNotEqualTo(key);
        assertThatThrownBy(() -> dl.objectKey("../x", hour, List.of("a"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DeadLetterLayout.beside(layout, "events/dl")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DeadLetterLayout.beside(layout, "events")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void prefixesAreNormalizedAndValidated() {
        ArchiveLayout l = new ArchiveLayout("/archive/events/");
        assertThat(l.prefix()).isEqualTo("archive/events");
        assertThat(l.eventObjectKey(hour, List.of("a"))).startsWith("archive/events/dt=");
        assertThatThrownBy(() -> new ArchiveLayout("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ArchiveLayout("a/../b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ArchiveLayout("a//b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ArchiveLayout(".hidden")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ArchiveLayout("x".repeat(ArchiveLayout.MAX_PREFIX_BYTES + 1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void longestKeyFitsR2() {
        ArchiveLayout l = new ArchiveLayout("x".repeat(ArchiveLayout.MAX_PREFIX_BYTES));
        String key = l.eventObjectKey(Instant.parse("9999-12-31T23:00:00Z"), List.of("a"));
        assertThat(key.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(R2Limits.MAX_KEY_BYTES);
    }
}
