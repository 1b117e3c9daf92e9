package dev.fanout.archive;

import dev.fanout.store.ObjectStore;
import dev.fanout.store.PutResult;
import dev.fanout.store.StoredObject;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** Delegating store that records put outcomes and can fail chosen put calls (1-based). */
final class RecordingStore implements ObjectStore {
    final ObjectStore delegate;
    final List<String> created = new ArrayList<>();
    final List<String> existing = new ArrayList<>();
    final AtomicInteger puts = new AtomicInteger();
    volatile int failPutNumber = -1;

    RecordingStore(ObjectStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public synchronized PutResult putIfAbsent(
            String key, byte[] body, Map<String, String> meta, String contentType, String contentEncoding)
            throws Exception {
        if (puts.incrementAndGet() == failPutNumber) {
            throw new IOException("injected failure on put #" + failPutNumber);
        }
        PutResult r = delegate.putIfAbsent(key, body, meta, contentType, contentEncoding);
        (r == PutResult.CREATED ? created : existing).add(key);
        return r;
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
        return "recording(" + delegate.describe() + ")";
    }
}
