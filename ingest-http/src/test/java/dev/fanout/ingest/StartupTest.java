package dev.fanout.ingest;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.runtime.LaunchMode;
import org.junit.jupiter.api.Test;

class StartupTest {

    @Test
    void prodRefusesToStartWithAuthOnAndNoToken() {
        assertThatThrownBy(() -> Startup.checkAuth(true, LaunchMode.NORMAL))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("FANOUT_INGEST_TOKENS")
                .hasMessageContaining("fanout.ingest.auth.enabled=false");
    }

    @Test
    void devAndTestOnlyWarnAndConfiguredProdStarts() {
        assertThatCode(() -> Startup.checkAuth(true, LaunchMode.DEVELOPMENT)).doesNotThrowAnyException();
        assertThatCode(() -> Startup.checkAuth(true, LaunchMode.TEST)).doesNotThrowAnyException();
        assertThatCode(() -> Startup.checkAuth(false, LaunchMode.NORMAL)).doesNotThrowAnyException();
    }

    @Test
    void prodRefusesAuthOffAndTheBlackholeWithoutTheirSwitches() {
        java.util.function.Function<String, java.util.Optional<Boolean>> none = k -> java.util.Optional.empty();
        assertThatThrownBy(() -> Startup.checkUnsafe(true, false, true, none))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("fanout.unsafe.ingest-auth-off=true");
        assertThatThrownBy(() -> Startup.checkUnsafe(false, true, true, none))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("fanout.unsafe.blackhole-publisher=true");
        org.assertj.core.api.Assertions.assertThat(Startup.checkUnsafe(false, false, true, none)).isEmpty();
    }

    @Test
    void theSwitchesOrDevAndTestAllowThemWithAWarning() {
        java.util.Map<String, Boolean> on = java.util.Map.of("fanout.unsafe.ingest-auth-off", true,
                "fanout.unsafe.blackhole-publisher", true);
        org.assertj.core.api.Assertions.assertThat(Startup.checkUnsafe(true, true, true,
                k -> java.util.Optional.ofNullable(on.get(k)))).hasSize(2);
        org.assertj.core.api.Assertions.assertThat(Startup.checkUnsafe(true, true, false,
                k -> java.util.Optional.empty())).hasSize(2);
    }
}
