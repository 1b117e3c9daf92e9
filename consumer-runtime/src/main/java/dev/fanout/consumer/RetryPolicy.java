package dev.fanout.consumer;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Retries of one sink write: exponential backoff with full jitter and a cap, bounded both in
 * attempts and in total time. The total must stay below the bus's ack deadline (and the push
 * max-wait) so that a batch is answered before the bus gives up on it anyway.
 *
 * @param initialBackoff upper bound of the first delay; doubles per retry
 * @param maxBackoff     cap of the delay bound
 * @param maxAttempts    attempts including the first
 * @param maxTotal       no retry is started that could end after this much time since the first attempt
 */
public record RetryPolicy(Duration initialBackoff, Duration maxBackoff, int maxAttempts, Duration maxTotal) {

    public RetryPolicy {
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(maxTotal, "maxTotal");
        if (maxAttempts < 1 || initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("invalid retry policy");
        }
    }

    /** One attempt only. */
    public static RetryPolicy none() {
        return new RetryPolicy(Duration.ZERO, Duration.ZERO, 1, Duration.ZERO);
    }

    /**
     * Delay before retry number {@code retry} (1 = the first retry): uniform in
     * {@code [bound/2, bound]} with {@code bound = min(maxBackoff, initialBackoff * 2^(retry-1))},
     * so that many consumers retrying the same destination spread out but never hammer it.
     */
    public Duration delayBeforeRetry(int retry) {
        long initial = initialBackoff.toNanos();
        long cap = maxBackoff.toNanos();
        long bound = initial;
        for (int i = 1; i < retry && bound < cap; i++) {
            bound = bound > Long.MAX_VALUE / 2 ? cap : bound * 2;
        }
        bound = Math.min(bound, cap);
        if (bound <= 1) {
            return Duration.ofNanos(Math.max(bound, 0));
        }
        return Duration.ofNanos(bound / 2 + ThreadLocalRandom.current().nextLong(bound - bound / 2 + 1));
    }
}
