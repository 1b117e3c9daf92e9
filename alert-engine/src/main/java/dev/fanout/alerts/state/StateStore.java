package dev.fanout.alerts.state;

import java.util.Optional;

/** Where the state document lives; every write is a compare-and-set on the version read. */
public interface StateStore {

    /** The stored document and its version, or empty if there is none yet. */
    Optional<Stored> load() throws Exception;

    /**
     * Writes {@code body} if the stored version is still {@code expectedVersion} (null: only if none exists).
     *
     * @return the new version, or empty if another writer got there first
     */
    Optional<String> save(byte[] body, String expectedVersion) throws Exception;

    /** Whether a failure of {@link #load}/{@link #save} may pass on retry. */
    boolean isTransient(Throwable failure);

    /** Where, for logs. */
    String describe();

    /** A stored document. */
    record Stored(byte[] body, String version) {}
}
