package dev.fanout.journal;

import java.io.IOException;

/** The journal can no longer append safely (a failed fsync, or a failed write that could not be undone); restart. */
public final class JournalFailedException extends IOException {
    public JournalFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
