package dev.fanout.alerts.state;

import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Read-modify-write of the state document with compare-and-set. The last document read is cached
 * with its version; a save that finds another version (another instance wrote) reloads and applies
 * the mutation again, so a mutation must be a pure function of the state and its own inputs.
 * Within one process every update is serialized here.
 */
public final class StateManager {

    private static final Logger LOG = Logger.getLogger(StateManager.class);

    /** Compare-and-set attempts per update before giving up with a transient failure. */
    public static final int MAX_ATTEMPTS = 16;

    /** A change to the state. */
    @FunctionalInterface
    public interface Mutation {
        /** Changes {@code state} in place; returns whether anything changed (false: nothing is written). */
        boolean apply(AlertState state) throws Exception;
    }

    private final StateStore store;
    private final Clock clock;
    private AlertState cached;
    private String version;
    private long loadedAt;
    private long saves;
    private long conflicts;

    public StateManager(StateStore store, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public StateStore store() {
        return store;
    }

    /**
     * Applies {@code m} and saves the result with compare-and-set.
     *
     * @param maxCacheAgeMillis reload first if the cached document is older (0: always reload, so
     *                          the mutation sees what other instances wrote)
     * @return whether the state changed and was saved
     */
    public synchronized boolean update(Mutation m, long maxCacheAgeMillis) throws Exception {
        if (cached != null && clock.millis() - loadedAt > maxCacheAgeMillis) {
            cached = null;
        }
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            if (cached == null) {
                reload();
            }
            boolean changed;
            byte[] body;
            try {
                changed = m.apply(cached);
                if (!changed) {
                    return false;
                }
                cached.revision++;
                body = StateCodec.encode(cached);
            } catch (Exception | Error e) {
                // The cached copy may be half-changed: read it again next time.
                cached = null;
                throw e;
            }
            Optional<String> saved;
            try {
                saved = store.save(body, version);
            } catch (Exception e) {
                cached = null;
                throw e;
            }
            if (saved.isPresent()) {
                version = saved.get();
                saves++;
                return true;
            }
            conflicts++;
            LOG.debugf("alert state changed under us (attempt %d); reloading", attempt);
            cached = null;
        }
        throw new StateConflictException("alert state: " + MAX_ATTEMPTS + " compare-and-set attempts lost to other writers");
    }

    /** Reads the state (from the cache if younger than {@code maxCacheAgeMillis}) and hands it to {@code reader}. */
    public synchronized <T> T read(java.util.function.Function<AlertState, T> reader, long maxCacheAgeMillis)
            throws Exception {
        if (cached == null || clock.millis() - loadedAt > maxCacheAgeMillis) {
            reload();
        }
        return reader.apply(cached);
    }

    /** The cached state without touching the store (may be null before the first load); for gauges. */
    public synchronized <T> T peek(java.util.function.Function<AlertState, T> reader, T ifNone) {
        return cached == null ? ifNone : reader.apply(cached);
    }

    private void reload() throws Exception {
        Optional<StateStore.Stored> s = store.load();
        if (s.isPresent()) {
            cached = StateCodec.decode(s.get().body());
            version = s.get().version();
        } else {
            cached = new AlertState();
            version = null;
        }
        loadedAt = clock.millis();
    }

    public synchronized long saves() {
        return saves;
    }

    public synchronized long conflicts() {
        return conflicts;
    }
}
