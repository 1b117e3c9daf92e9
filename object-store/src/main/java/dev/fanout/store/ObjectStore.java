package dev.fanout.store;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Write-once object storage behind the archive: R2/S3 ({@link S3ObjectStore}) or a local
 * directory ({@link FilesystemObjectStore}), with the same {@code /}-separated key layout.
 *
 * <p>Objects are never overwritten: archive keys are derived from content, so an existing key
 * means the same data was already written by an earlier delivery.
 */
public interface ObjectStore extends AutoCloseable {

    /**
     * Creates the object only if no object exists under {@code key}; returns once it is durable.
     *
     * @param userMetadata    small ASCII key/value pairs stored with the object (keys lower case)
     * @param contentType     Content-Type to store, or null
     * @param contentEncoding Content-Encoding to store, or null
     * @throws Exception any failure; classify it with {@link ArchiveRetryClassifier}
     */
    PutResult putIfAbsent(
            String key, byte[] body, Map<String, String> userMetadata, String contentType, String contentEncoding)
            throws Exception;

    /** Checks the store the way a write would (S3: HEAD bucket; fs: a probe file); throws if not ready. */
    void checkReady() throws Exception;

    /** Keys starting with {@code prefix}, sorted. For tests, tooling and the replay CLI. */
    List<String> list(String prefix) throws Exception;

    /** The object under {@code key}, or empty if there is none. */
    Optional<StoredObject> get(String key) throws Exception;

    /**
     * The object under {@code key} with its version token, or empty if there is none. Together
     * with {@link #putIfVersion} this is a compare-and-set on one small mutable object (the alert
     * sink's state); archive objects stay write-once.
     */
    default Optional<VersionedObject> getVersioned(String key) throws Exception {
        throw new UnsupportedOperationException(describe() + " has no conditional reads");
    }

    /**
     * Writes {@code body} under {@code key} only if the object's current version is
     * {@code expectedVersion} (S3/R2: {@code If-Match: <ETag>}), or, with a null
     * {@code expectedVersion}, only if no object exists ({@code If-None-Match: *}).
     *
     * @return the new version, or empty when the precondition failed (someone else wrote first)
     * @throws Exception any other failure; classify it with {@link ArchiveRetryClassifier}
     */
    default Optional<String> putIfVersion(String key, byte[] body, String expectedVersion, String contentType)
            throws Exception {
        throw new UnsupportedOperationException(describe() + " has no conditional writes");
    }

    /** Human-readable location for logs, e.g. {@code s3://bucket} or a directory; never secrets. */
    String describe();

    @Override
    default void close() {}
}
