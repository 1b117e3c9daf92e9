package dev.fanout.store;

/** Outcome of {@link ObjectStore#putIfAbsent}; both mean the object now exists under the key. */
public enum PutResult {
    /** This call created the object. */
    CREATED,
    /**
     * An object already existed under the key (S3: 412 on {@code If-None-Match: *}). Keys are
     * derived from content, so this is a redelivered write and counts as success.
     */
    ALREADY_EXISTS
}
