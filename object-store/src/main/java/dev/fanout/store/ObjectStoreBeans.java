package dev.fanout.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import java.nio.file.Path;
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

    /** The S3 settings of {@code fanout.archive.s3.*}; throws naming the first missing key. */
    public static S3Settings s3Settings(ArchiveConfig.S3 s3) {
        return new S3Settings(
                s3.endpoint().orElseThrow(() -> missing("endpoint")),
                s3.bucket().orElseThrow(() -> missing("bucket")),
                s3.region(),
                s3.accessKeyId().orElseThrow(() -> missing("access-key-id")).get(),
                s3.secretAccessKey().orElseThrow(() -> missing("secret-access-key")).get(),
                s3.pathStyle(),
                s3.connectTimeout(),
                s3.socketTimeout(),
                s3.apiCallAttemptTimeout(),
                s3.apiCallTimeout(),
                s3.maxAttempts(),
                s3.maxConnections());
    }

    private static IllegalStateException missing(String key) {
        return new IllegalStateException("fanout.archive.backend=s3 needs fanout.archive.s3." + key);
    }
}
