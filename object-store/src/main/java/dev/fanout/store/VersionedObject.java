package dev.fanout.store;

import java.util.Objects;

/**
 * An object read together with its version token, for compare-and-set updates with
 * {@link ObjectStore#putIfVersion}: the S3 ETag on R2/S3, a content hash on the filesystem.
 *
 * @param key     full key
 * @param body    stored bytes
 * @param version opaque version token; pass it back unchanged
 */
public record VersionedObject(String key, byte[] body, String version) {
    public VersionedObject {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(version, "version");
    }
}
