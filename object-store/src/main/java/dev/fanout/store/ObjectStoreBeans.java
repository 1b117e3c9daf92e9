package dev.fanout.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import io.smallrye.config.Secret;
import java.nio.file.Path;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * CDI wiring of the archive's {@link ObjectStore}, chosen by {@code fanout.archive.backend}. The
 * bean is created only when something injects it (the archive writer, the runtime's dead-letter
 * store), so an app that depends on this library without using a store never needs its settings.
 */
@ApplicationScoped
public class ObjectStoreBeans {

    private static final Logger LOG = Logger.getLogger(ObjectStoreBeans.class);

    @Produces
    @ApplicationScoped
    ObjectStore objectStore(ArchiveConfig config) {
        ObjectStore store = switch (config.backend()) {
            case fs -> new FilesystemObjectStore(Path.of(config.fs().dir()));
            case s3 -> new S3ObjectStore(s3Settings(config.s3()));
        };
        LOG.infof("archive store: %s", store.describe());
        return store;
    }

    void closeStore(@Disposes ObjectStore store) {
        store.close();
    }

    /**
     * The S3 settings of {@code fanout.archive.s3.*}. A half-set configuration fails here, at
     * start, with one line naming every missing key (and the environment variable that sets it).
     */
    public static S3Settings s3Settings(ArchiveConfig.S3 s3) {
        java.util.List<String> missing = new java.util.ArrayList<>();
        if (s3.endpoint().isEmpty()) {
            missing.add("endpoint");
        }
        Optional<String> bucket = s3.bucket().filter(b -> !b.isBlank());
        if (bucket.isEmpty()) {
            missing.add("bucket");
        }
        // An unset secret can surface as a present Secret holding null: check the value.
        Optional<String> keyId = s3.accessKeyId().map(Secret::get).filter(v -> !v.isBlank());
        if (keyId.isEmpty()) {
            missing.add("access-key-id");
        }
        Optional<String> secret = s3.secretAccessKey().map(Secret::get).filter(v -> !v.isBlank());
        if (secret.isEmpty()) {
            missing.add("secret-access-key");
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("fanout.archive.backend=s3 but " + String.join(", ", missing.stream()
                    .map(k -> "fanout.archive.s3." + k + " (" + envName(k) + ")").toList()) + " not set");
        }
        return new S3Settings(
                s3.endpoint().get(),
                bucket.get(),
                s3.region(),
                keyId.get(),
                secret.get(),
                s3.pathStyle(),
                s3.connectTimeout(),
                s3.socketTimeout(),
                s3.apiCallAttemptTimeout(),
                s3.apiCallTimeout(),
                s3.maxAttempts(),
                s3.maxConnections());
    }

    private static String envName(String key) {
        return "FANOUT_ARCHIVE_S3_" + key.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
    }
}
