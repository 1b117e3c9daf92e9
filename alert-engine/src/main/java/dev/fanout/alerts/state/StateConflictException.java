package dev.fanout.alerts.state;

/** Other writers kept winning the compare-and-set; transient: the caller retries later. */
public final class StateConflictException extends RuntimeException {
    public StateConflictException(String message) {
        super(message);
    }
}
