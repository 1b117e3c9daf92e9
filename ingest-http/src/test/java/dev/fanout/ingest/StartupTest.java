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
}
