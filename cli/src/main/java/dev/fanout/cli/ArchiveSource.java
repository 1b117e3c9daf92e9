package dev.fanout.cli;

import dev.fanout.store.ArchiveConfig;
import dev.fanout.store.FilesystemObjectStore;
import dev.fanout.store.ObjectStore;
import dev.fanout.store.S3ObjectStore;
import dev.fanout.store.S3Settings;
import io.smallrye.config.Secret;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Where an archive is: {@code --source s3://bucket/prefix} (endpoint and credentials from
 * {@code fanout.archive.s3.*}, the archive-sink's keys), {@code --source <dir>} (a local archive
 * root, or its events directory), or nothing: the configured archive ({@code fanout.archive.backend},
 * by default {@code $FANOUT_DATA_DIR/archive}, where {@code ./run-local} writes).
 *
 * @param store  the object store (close it when done)
 * @param prefix key prefix of the event objects, e.g. {@code events}
 * @param s3     whether this is an S3/R2 bucket (listings and GETs are billed operations)
 */
public record ArchiveSource(ObjectStore store, String prefix, boolean s3) implements AutoCloseable {

    public String describe() {
        return store.describe() + "/" + prefix;
    }

    /** Key prefix of an hour partition, e.g. {@code events/dt=2026-11-23/hr=07/}. */
    public String partitionPrefix(String partition) {
        return prefix + "/" + partition + "/";
    }

    @Override
    public void close() {
        store.close();
    }

    /**
     * Resolves and checks the source before any work: missing S3 credentials, an unreachable
     * bucket or a missing directory are {@link UsageException}s.
     */
    public static ArchiveSource open(String spec, CliConfig config) {
        ArchiveConfig archive = config.archive();
        if (spec == null || spec.isBlank()) {
            return switch (archive.backend()) {
                case fs -> dir(Path.of(archive.fs().dir()), archive.prefix(), true);
                case s3 -> s3(settings(archive, null), archive.prefix());
            };
        }
        if (spec.startsWith("s3://")) {
            URI uri = URI.create(spec);
            String bucket = uri.getHost();
            if (bucket == null || bucket.isBlank()) {
                throw new UsageException("--source " + spec + ": no bucket (use s3://bucket/prefix)");
            }
            String path = uri.getPath() == null ? "" : uri.getPath().replaceAll("^/+|/+$", "");
            return s3(settings(archive, bucket), path.isEmpty() ? archive.prefix() : path);
        }
        Path dir = Path.of(spec.startsWith("file:") ? URI.create(spec).getPath() : spec);
        return dir(dir, archive.prefix(), false);
    }

    static S3Settings settings(ArchiveConfig archive, String bucket) {
        ArchiveConfig.S3 s3 = archive.s3();
        String b = bucket != null ? bucket : s3.bucket().map(String::strip).orElse("");
        // Secrets are read through Optional<Secret>; a missing key can surface as a Secret holding null.
        String keyId = s3.accessKeyId().map(Secret::get).map(String::strip).orElse("");
        String secret = s3.secretAccessKey().map(Secret::get).map(String::strip).orElse("");
        String missing = s3.endpoint().isEmpty() ? "fanout.archive.s3.endpoint"
                : b.isEmpty() ? "fanout.archive.s3.bucket"
                : keyId.isEmpty() ? "fanout.archive.s3.access-key-id"
                : secret.isEmpty() ? "fanout.archive.s3.secret-access-key" : null;
        if (missing != null) {
            throw new UsageException("reading the archive from S3/R2 needs " + missing + " (env "
                    + CliConfig.envName(missing) + "); the same keys as archive-sink, see docs/configuration.md");
        }
        return new S3Settings(s3.endpoint().get(), b, s3.region(), keyId, secret, s3.pathStyle(), s3.connectTimeout(),
                s3.socketTimeout(), s3.apiCallAttemptTimeout(), s3.apiCallTimeout(), s3.maxAttempts(), s3.maxConnections());
    }

    private static ArchiveSource s3(S3Settings settings, String prefix) {
        S3ObjectStore store = new S3ObjectStore(settings);
        try {
            store.checkReady();
        } catch (Exception e) {
            store.close();
            throw new UsageException("cannot reach s3://" + settings.bucket() + " at " + settings.endpoint()
                    + ": " + e.getMessage() + " (check the endpoint, bucket and credentials)", e);
        }
        return new ArchiveSource(store, prefix, true);
    }

    private static ArchiveSource dir(Path dir, String defaultPrefix, boolean configured) {
        if (!Files.isDirectory(dir)) {
            throw new UsageException("no archive directory " + dir.toAbsolutePath()
                    + (configured ? " (fanout.archive.fs.dir; has ./run-local written anything yet? or pass --source)" : ""));
        }
        // Pointed at the events directory itself (…/archive/events): its parent is the store root.
        if (hasPartitions(dir) && dir.toAbsolutePath().getParent() != null) {
            Path abs = dir.toAbsolutePath().normalize();
            return new ArchiveSource(new FilesystemObjectStore(abs.getParent()), abs.getFileName().toString(), false);
        }
        return new ArchiveSource(new FilesystemObjectStore(dir), defaultPrefix, false);
    }

    private static boolean hasPartitions(Path dir) {
        try (Stream<Path> children = Files.list(dir)) {
            return children.anyMatch(p -> p.getFileName().toString().startsWith("dt=") && Files.isDirectory(p));
        } catch (IOException e) {
            return false;
        }
    }
}
