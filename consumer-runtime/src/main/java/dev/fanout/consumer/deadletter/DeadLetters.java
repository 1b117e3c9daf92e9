package dev.fanout.consumer.deadletter;

import java.util.List;

/**
 * The runtime's one dead-letter store, shared by every sink. A message whose records were rejected
 * (or that cannot be decoded) is acknowledged only after {@link #write} returned for its letters.
 */
public interface DeadLetters {

    /**
     * Durably keeps the letters (all of one sink); returns once they are stored. Idempotent:
     * the same letters written again (a redelivery) create nothing new.
     *
     * @throws Exception any failure; {@link #isTransient} says whether a retry may help
     */
    void write(List<DeadLetter> letters) throws Exception;

    /** Whether a failure of {@link #write} may pass if retried. */
    boolean isTransient(Throwable failure);

    /** Where letters go, for logs; never secrets. */
    String describe();
}
