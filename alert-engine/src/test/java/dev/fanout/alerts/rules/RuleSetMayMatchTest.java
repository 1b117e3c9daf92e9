package dev.fanout.alerts.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.alerts.support.Events;
import dev.fanout.events.Attributes;
import dev.fanout.events.Severity;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RuleSetMayMatchTest {

    private static final RulesLoader.Defaults DEFAULTS =
            new RulesLoader.Defaults(List.of("ops@example.org"), Timers.defaults());
    private static final Instant T = Instant.parse("2026-11-23T10:00:00Z");

    @Test
    void aMessageIsLookedAtExactlyWhenAnEventOfItsMostSevereSeverityCouldMatch() {
        for (RuleSet rules : List.of(RulesLoader.defaults(DEFAULTS), RulesLoader.load(Path.of("examples/alert-rules.yaml"), DEFAULTS))) {
            for (Severity s : Severity.values()) {
                boolean anEventMatches = !rules.match(Events.event("h", "s", s, "could not connect to server", T), false).isEmpty();
                boolean packed = rules.mayMatch(Map.of(Attributes.MAX_SEVERITY, s.wireName()));
                boolean single = rules.mayMatch(Map.of(Attributes.SEVERITY, s.wireName()));
                if (anEventMatches) {
                    assertThat(packed).as(rules.source() + " " + s).isTrue();
                    assertThat(single).as(rules.source() + " " + s).isTrue();
                }
                assertThat(packed).as(rules.source() + " " + s).isEqualTo(s.code() <= rules.loosest().code());
            }
        }
    }

    @Test
    void replaysAreSkippedOnlyWhenNoRuleCountsThem() {
        RuleSet defaults = RulesLoader.defaults(DEFAULTS);
        assertThat(defaults.anyIncludesReplayed()).isFalse();
        assertThat(defaults.mayMatch(Map.of(Attributes.MAX_SEVERITY, "emergency", Attributes.REPLAY, "run-1"))).isFalse();
        assertThat(defaults.mayMatch(Map.of(Attributes.MAX_SEVERITY, "emergency"))).isTrue();

        RuleSet example = RulesLoader.load(Path.of("examples/alert-rules.yaml"), DEFAULTS);
        assertThat(example.anyIncludesReplayed()).isTrue();
        assertThat(example.mayMatch(Map.of(Attributes.MAX_SEVERITY, "error", Attributes.REPLAY, "run-1"))).isTrue();
    }

    @Test
    void missingOrUnknownSeverityAttributesMeanTheEventsAreLookedAt() {
        RuleSet rules = RulesLoader.defaults(DEFAULTS);
        assertThat(rules.mayMatch(Map.of())).isTrue();
        assertThat(rules.mayMatch(Map.of(Attributes.MAX_SEVERITY, "loud"))).isTrue();
        assertThat(rules.loosest()).isNotEqualTo(Severity.DEBUG);
        assertThat(rules.mayMatch(Map.of(Attributes.MAX_SEVERITY, "debug"))).isFalse();
    }
}
