package dev.fanout.cli.targets;

/** The target cannot take more from this run: stop, checkpoint what is done, exit non-zero. */
public final class TargetFatalException extends Exception {
    public TargetFatalException(String message) {
        super(message);
    }

    public TargetFatalException(String message, Throwable cause) {
        super(message, cause);
    }
}
