package dev.fanout.consumer.quarkus;

import dev.fanout.consumer.InProcessBus;
import dev.fanout.consumer.LocalBus;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;

/** {@link LocalModeTests} with {@code fanout.consumer.local.bus=memory}. */
@QuarkusTest
@TestProfile(MemoryLocalModeTests.Memory.class)
class MemoryLocalModeTests extends LocalModeTests {

    public static class Memory extends LocalModeTests.Local {
        @Override
        protected Map<String, String> extra() {
            return Map.of("fanout.consumer.local.bus", "memory");
        }
    }

    @Override
    protected Class<? extends InProcessBus> expectedBus() {
        return LocalBus.class;
    }
}
