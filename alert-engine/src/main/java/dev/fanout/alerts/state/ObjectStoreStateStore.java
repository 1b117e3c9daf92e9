package dev.fanout.alerts.state;

import dev.fanout.store.ArchiveRetryClassifier;
import dev.fanout.store.ObjectStore;
import dev.fanout.store.VersionedObject;
import java.util.Objects;
import java.util.Optional;

/**
 * The state as one object of an {@link ObjectStore}: R2 with {@code If-Match} conditional PUTs in
 * the cloud, a local file (content-hash versions under a file lock) in local mode.
 */
public final class ObjectStoreStateStore implements StateStore {

    public static final String CONTENT_TYPE = "application/gzip";

    private final ObjectStore store;
    private final String key;

    public ObjectStoreStateStore(ObjectStore store, String key) {
        this.store = Objects.requireNonNull(store, "store");
        this.key = Objects.requireNonNull(key, "key");
    }

    @Override
    public Optional<Stored> load() throws Exception {
        Optional<VersionedObject> o = store.getVersioned(key);
        return o.map(v -> new Stored(v.body(), v.version()));
    }

    @Override
    public Optional<String> save(byte[] body, String expectedVersion) throws Exception {
        return store.putIfVersion(key, body, expectedVersion, CONTENT_TYPE);
    }

    @Override
    public boolean isTransient(Throwable failure) {
        return ArchiveRetryClassifier.isTransient(failure);
    }

    @Override
    public String describe() {
        return store.describe() + "/" + key;
    }
}
