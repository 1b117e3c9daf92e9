package dev.fanout.cli.targets;

import dev.fanout.cli.replay.Line;
import java.util.List;

/** Where replayed events go. Implementations retry what is transient themselves. */
public interface ReplayTarget extends AutoCloseable {

    /**
     * Sends the matched events of one source object and returns once the target confirmed them
     * (or rejected some, see {@link SendOutcome}). Thread-safe: several objects are in flight.
     *
     * @throws TargetFatalException when the run must stop (credentials refused, retries exhausted)
     */
    SendOutcome send(String sourceKey, List<Line> events) throws Exception;

    /**
     * About how many NDJSON bytes (lines and their newlines) of one object's matches this target
     * takes per {@link #send} call: the replay hands an object over in parts no larger, unless one
     * line alone is larger, as it reads it. A line's bytes are valid only during the call. Default:
     * the whole object in one call (targets that write one output per object, or keep an object's
     * lines together).
     */
    default long partBytes() {
        return Long.MAX_VALUE;
    }

    /**
     * Whether this target uses only each line's bytes and its envelope's id, time and severity (the
     * header {@link dev.fanout.events.EnvelopeCodec#readHeader} reads), so the replay need not
     * build the rest of every envelope. False by default.
     */
    default boolean linesOnly() {
        return false;
    }

    /** Kind and location for logs and the checkpoint, e.g. {@code url http://host:8080}; never credentials. */
    String describe();

    /** Checks what can be checked before any work (credentials present, endpoint answers). */
    default void checkReady() throws Exception {}

    @Override
    default void close() throws Exception {}
}
