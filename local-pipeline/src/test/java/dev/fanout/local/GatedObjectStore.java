package dev.fanout.local;

import dev.fanout.store.ArchiveConfig;
import dev.fanout.store.FilesystemObjectStore;
import dev.fanout.store.ObjectStore;
import dev.fanout.store.PutResult;
import dev.fanout.store.StoredObject;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The real filesystem store behind a gate that a test can close, so that archive writes (and
 * therefore bus acks) wait until the test opens it. Only enabled by {@link BackpressureTests}'
 * profile; everything else uses archive-sink's own store.
 */
@Alternative
@ApplicationScoped
public class GatedObjectStore implements ObjectStore {

    private final FilesystemObjectStore delegate;
    private final AtomicReference<CountDownLatch> gate = new AtomicReference<>(new CountDownLatch(0));

    public GatedObjectStore(ArchiveConfig config) {
        this.delegate = new FilesystemObjectStore(Path.of(config.fs().dir()));
    }

    /** Writes from now on wait until {@link #open()}. */
    public void block() {
        gate.set(new CountDownLatch(1));
    }

    public void open() {
        gate.get().countDown();
    }

    @Override
    public PutResult putIfAbsent(String key, byte[] body, Map<String, String> userMetadata, String contentType,
            String contentEncoding) throws Exception {
        gate.get().await();
        return delegate.putIfAbsent(key, body, userMetadata, contentType, contentEncoding);
    }

    @Override
    public void checkReady() throws Exception {
        delegate.checkReady();
    }

    @Override
    public List<String> list(String prefix) throws Exception {
        return delegate.list(prefix);
    }

    @Override
    public Optional<StoredObject> get(String key) throws Exception {
        return delegate.get(key);
    }

    @Override
    public String describe() {
        return "gated " + delegate.describe();
    }

    /** Never leave a writer parked when the app stops. */
    @PreDestroy
    void release() {
        open();
    }
}
