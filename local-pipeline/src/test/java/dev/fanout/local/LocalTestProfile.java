package dev.fanout.local;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Runs the tests under the {@code local} profile that {@code ./run-local} uses, not {@code test}:
 * the service modules' {@code %test.*} settings (fixed tokens, tiny Pub/Sub limits, …) ride along
 * in their jars and must not shape what is tested here. Each profile gets a fresh data directory.
 */
public class LocalTestProfile implements QuarkusTestProfile {

    static final String PROFILE = "local";

    private final Path dataDir = Path.of("target", "test-data", getClass().getSimpleName() + "-" + UUID.randomUUID())
            .toAbsolutePath();

    @Override
    public String getConfigProfile() {
        return PROFILE;
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> m = new HashMap<>();
        m.put("FANOUT_DATA_DIR", dataDir.toString());
        // Other modules' tests run at the same time on this machine: never a fixed port.
        m.put("quarkus.http.test-port", "0");
        // Archive objects appear quickly instead of after the local default of 2 s.
        m.put("fanout.consumer.sinks.\"archive\".max-age", "100ms");
        m.putAll(extraOverrides());
        return m;
    }

    protected Map<String, String> extraOverrides() {
        return Map.of();
    }
}
