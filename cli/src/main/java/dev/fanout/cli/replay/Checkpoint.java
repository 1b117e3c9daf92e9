package dev.fanout.cli.replay;

import java.util.Set;

/**
 * Which source objects a replay run has completely sent, by object key (never by LastModified:
 * an object written late into an old partition must not be skipped). A retried or restarted run
 * with the same run id skips them; nothing marked done before the last durable checkpoint is sent
 * twice.
 */
public interface Checkpoint extends AutoCloseable {

    /** Starts or resumes the run; returns the record in force (the stored one when resuming). */
    RunRecord begin(RunRecord proposed) throws Exception;

    /** Keys completed by earlier attempts (read by {@link #begin}). */
    Set<String> done();

    /** Records that every event of {@code key} was confirmed by the target. Thread-safe. */
    void markDone(String key, long events) throws Exception;

    /** Makes every {@link #markDone} so far durable. */
    void flush() throws Exception;

    String describe();

    @Override
    default void close() throws Exception {
        flush();
    }

    /** No checkpoint ({@code --checkpoint none}, and dry runs). */
    Checkpoint NONE = new Checkpoint() {
        @Override
        public RunRecord begin(RunRecord proposed) {
            return proposed;
        }

        @Override
        public Set<String> done() {
            return Set.of();
        }

        @Override
        public void markDone(String key, long events) {}

        @Override
        public void flush() {}

        @Override
        public String describe() {
            return "none";
        }
    };
}
