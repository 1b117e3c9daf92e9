package dev.fanout.cli;

import dev.fanout.pubsub.PubSubConfig;
import dev.fanout.store.ArchiveConfig;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SysPropConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * The services' configuration, read the way they read it: the same {@code @ConfigMapping}
 * interfaces ({@link ArchiveConfig} {@code fanout.archive.*}, {@link PubSubConfig}
 * {@code fanout.pubsub.*}), the same environment variable names
 * ({@code FANOUT_ARCHIVE_S3_ENDPOINT} …) and system properties, through SmallRye Config without
 * a Quarkus runtime. Command-line options win over both: they are passed as {@code overrides}.
 */
public final class CliConfig {

    /** Above system properties (400) and environment variables (300). */
    static final int OVERRIDE_ORDINAL = 500;

    /** Below every other source: the CLI's own defaults for library keys, still overridable by env. */
    static final int CLI_DEFAULTS_ORDINAL = 50;

    /**
     * A replay job is not an HTTP request with a deadline: give each publish far longer than the
     * bridge's 10 s before it counts as failed (a failed publish is published again, a duplicate).
     */
    static final Map<String, String> CLI_DEFAULTS = Map.of(
            "fanout.pubsub.retry.total-timeout", "120s",
            "fanout.pubsub.retry.rpc-timeout", "30s",
            "fanout.pubsub.retry.max-attempts", "5",
            "fanout.pubsub.shutdown-timeout", "30s");

    private final SmallRyeConfig config;

    private CliConfig(SmallRyeConfig config) {
        this.config = config;
    }

    /**
     * @param env       the process environment (a parameter so tests can pass their own)
     * @param overrides keys set by command-line options
     */
    public static CliConfig load(Map<String, String> env, Map<String, String> overrides) {
        try {
            SmallRyeConfig c = new SmallRyeConfigBuilder()
                    .addPropertiesSources()
                    .addDefaultInterceptors()
                    .withSources(new SysPropConfigSource())
                    .withSources(new EnvConfigSource(env, EnvConfigSource.ORDINAL))
                    .withSources(new PropertiesConfigSource(overrides, "fanout command-line options", OVERRIDE_ORDINAL))
                    .withSources(new PropertiesConfigSource(CLI_DEFAULTS, "fanout CLI defaults", CLI_DEFAULTS_ORDINAL))
                    // "5s"/"100ms" as the services accept them (Quarkus' converter; plain SmallRye wants ISO-8601).
                    .withConverter(java.time.Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                    .withMapping(ArchiveConfig.class)
                    .withMapping(PubSubConfig.class)
                    .build();
            return new CliConfig(c);
        } catch (RuntimeException e) {
            throw new UsageException("invalid configuration: " + e.getMessage(), e);
        }
    }

    public ArchiveConfig archive() {
        return config.getConfigMapping(ArchiveConfig.class);
    }

    public PubSubConfig pubsub() {
        return config.getConfigMapping(PubSubConfig.class);
    }

    /** An optional plain key (for keys no mapping owns, e.g. {@code fanout.replay.token}). */
    public java.util.Optional<String> get(String key) {
        try {
            return config.getOptionalValue(key, String.class);
        } catch (NoSuchElementException e) {
            return java.util.Optional.empty();
        }
    }

    /** The environment variable SmallRye maps to {@code key} ({@code fanout.archive.s3.bucket} → {@code FANOUT_ARCHIVE_S3_BUCKET}). */
    public static String envName(String key) {
        StringBuilder sb = new StringBuilder(key.length());
        for (char c : key.toCharArray()) {
            sb.append(Character.isLetterOrDigit(c) ? Character.toUpperCase(c) : '_');
        }
        return sb.toString();
    }
}
