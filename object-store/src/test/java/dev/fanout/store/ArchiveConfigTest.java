package dev.fanout.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ArchiveConfigTest {

    private static ArchiveConfig load(Map<String, String> props) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(ArchiveConfig.class)
                .withConverter(Duration.class, 100, new DurationConverter())
                .withSources(new PropertiesConfigSource(props, "test", 500))
                .build();
        return config.getConfigMapping(ArchiveConfig.class);
    }

    @Test
    void defaultsSuitTheLocalPipeline() {
        ArchiveConfig c = load(Map.of());
        assertThat(c.backend()).isEqualTo(ArchiveConfig.Backend.fs);
        assertThat(c.fs().dir()).endsWith("/archive");
        assertThat(c.prefix()).isEqualTo("events");
        assertThat(c.deadLetterPrefix()).isEqualTo("dead-letter");
        assertThat(c.gzipLevel()).isEqualTo(ArchiveCodec.DEFAULT_GZIP_LEVEL);
        assertThat(c.s3().region()).isEqualTo("auto");
        assertThat(c.s3().pathStyle()).isTrue();
        assertThat(c.s3().maxAttempts()).isEqualTo(2);
        assertThat(c.s3().connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.s3().endpoint()).isEmpty();
    }

    @Test
    void s3SettingsComeFromConfigAndNeverPrintSecrets() {
        ArchiveConfig c = load(Map.of(
                "fanout.archive.backend", "s3",
                "fanout.archive.s3.endpoint", "https://acct.r2.cloudflarestorage.com",
                "fanout.archive.s3.bucket", "logs",
                "fanout.archive.s3.access-key-id", "AKIDSECRETVALUE",
                "fanout.archive.s3.secret-access-key", "s3cr3t-value-123",
                "fanout.archive.s3.socket-timeout", "12s"));
        S3Settings s = ObjectStoreBeans.s3Settings(c.s3());
        assertThat(s.endpoint()).isEqualTo(URI.create("https://acct.r2.cloudflarestorage.com"));
        assertThat(s.bucket()).isEqualTo("logs");
        assertThat(s.secretAccessKey()).isEqualTo("s3cr3t-value-123");
        assertThat(s.socketTimeout()).isEqualTo(Duration.ofSeconds(12));
        assertThat(s.toString()).doesNotContain("s3cr3t-value-123").doesNotContain("AKIDSECRETVALUE");
        assertThat(c.s3().secretAccessKey().orElseThrow().toString()).doesNotContain("s3cr3t-value-123");
        assertThat(String.valueOf(c.s3())).doesNotContain("s3cr3t-value-123");
        assertThat(String.valueOf(c)).doesNotContain("s3cr3t-value-123");
    }

    @Test
    void s3BackendWithoutBucketFailsClearly() {
        ArchiveConfig c = load(Map.of("fanout.archive.backend", "s3",
                "fanout.archive.s3.endpoint", "https://acct.r2.cloudflarestorage.com"));
        assertThatThrownBy(() -> ObjectStoreBeans.s3Settings(c.s3()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("fanout.archive.s3.bucket");
    }

    /** A half-set backend names every missing key at once, on one line (not only the first). */
    @Test
    void aHalfSetS3BackendNamesEveryMissingKeyOnOneLine() {
        ArchiveConfig c = load(Map.of("fanout.archive.backend", "s3", "fanout.archive.s3.bucket", "b"));
        assertThatThrownBy(() -> ObjectStoreBeans.s3Settings(c.s3()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("fanout.archive.s3.endpoint (FANOUT_ARCHIVE_S3_ENDPOINT)")
                .hasMessageContaining("fanout.archive.s3.access-key-id (FANOUT_ARCHIVE_S3_ACCESS_KEY_ID)")
                .hasMessageContaining("fanout.archive.s3.secret-access-key (FANOUT_ARCHIVE_S3_SECRET_ACCESS_KEY)")
                .hasMessageNotContaining("fanout.archive.s3.bucket")
                .hasMessageNotContaining("\n");
    }
}
