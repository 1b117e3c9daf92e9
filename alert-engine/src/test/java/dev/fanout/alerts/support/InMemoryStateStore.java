package dev.fanout.alerts.support;

import dev.fanout.alerts.state.StateStore;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** A compare-and-set state store in memory, shared by the "instances" of a test. */
public final class InMemoryStateStore implements StateStore {
    private byte[] body;
    private int version;
    public final AtomicInteger saves = new AtomicInteger();
    public volatile RuntimeException failNextSave;

    @Override
    public synchronized Optional<Stored> load() {
        return body == null ? Optional.empty() : Optional.of(new Stored(body.clone(), Integer.toString(version)));
    }

    @Override
    public synchronized Optional<String> save(byte[] b, String expectedVersion) {
        RuntimeException f = failNextSave;
        if (f != null) {
            failNextSave = null;
            throw f;
        }
        String current = body == null ? null : Integer.toString(version);
        if (!Objects.equals(current, expectedVersion)) {
            return Optional.empty();
        }
        body = b.clone();
        version++;
        saves.incrementAndGet();
        return Optional.of(Integer.toString(version));
    }

    @Override
    public boolean isTransient(Throwable failure) {
        return failure instanceof java.io.IOException;
    }

    @Override
    public String describe() {
        return "memory";
    }
}
