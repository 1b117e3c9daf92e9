package dev.fanout.store;

import java.util.Map;
import java.util.Objects;

/**
 * An object as read back from an {@link ObjectStore}.
 *
 * @param key             full key, {@code /}-separated
 * @param body            stored bytes, exactly as written
 * @param userMetadata    user metadata (S3 {@code x-amz-meta-*} without the prefix), keys lower case
 * @param contentType     stored Content-Type, may be null
 * @param contentEncoding stored Content-Encoding, may be null
 */
public record StoredObject(
        String key, byte[] body, Map<String, String> userMetadata, String contentType, String contentEncoding) {
    public StoredObject {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(body, "body");
        userMetadata = userMetadata == null ? Map.of() : Map.copyOf(userMetadata);
    }
}
