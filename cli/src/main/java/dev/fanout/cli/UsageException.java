package dev.fanout.cli;

/** A problem with the arguments or configuration, found before any work: exit {@value ExitCodes#USAGE}. */
public final class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }

    public UsageException(String message, Throwable cause) {
        super(message, cause);
    }
}
