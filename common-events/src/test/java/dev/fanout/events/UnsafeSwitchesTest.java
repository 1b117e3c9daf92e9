package dev.fanout.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UnsafeSwitchesTest {

    private static java.util.function.Function<String, Optional<Boolean>> config(Map<String, Boolean> m) {
        return k -> Optional.ofNullable(m.get(k));
    }

    @Test
    void prodRefusesAnActiveUnsafeSettingWithoutItsSwitch() {
        assertThatThrownBy(() -> UnsafeSwitches.check("blackhole-publisher", "blackhole drops events", true, true,
                config(Map.of())))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("fanout.unsafe.blackhole-publisher=true")
                .hasMessageContaining("FANOUT_UNSAFE_BLACKHOLE_PUBLISHER");
        assertThatThrownBy(() -> UnsafeSwitches.check("x", "x", true, true, config(Map.of("fanout.unsafe.x", false))))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theSwitchOrANonProdProfileAllowsItWithAWarning() {
        assertThat(UnsafeSwitches.check("x", "x is unsafe", true, true, config(Map.of("fanout.unsafe.x", true))))
                .hasValueSatisfying(w -> assertThat(w).contains("allowed by fanout.unsafe.x=true"));
        assertThat(UnsafeSwitches.check("x", "x is unsafe", true, false, config(Map.of()))).isPresent();
        assertThat(UnsafeSwitches.check("x", "x is unsafe", false, true, config(Map.of()))).isEmpty();
    }

    @Test
    void namesAreKebabCase() {
        assertThatThrownBy(() -> UnsafeSwitches.key("Not_Kebab")).isInstanceOf(IllegalArgumentException.class);
        assertThat(UnsafeSwitches.key("ingest-auth-off")).isEqualTo("fanout.unsafe.ingest-auth-off");
    }
}
