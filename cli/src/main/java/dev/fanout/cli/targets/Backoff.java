package dev.fanout.cli.targets;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with full jitter and a cap, within a total budget: the CLI's one retry
 * timing for every target (HTTP 503/429/5xx and connection failures, Pub/Sub transient errors).
 */
public final class Backoff {

    private final Duration initial;
    private final Duration max;
    private final long deadlineNanos;
    private int attempt;

    public Backoff(Duration initial, Duration max, Duration budget) {
        this.initial = initial;
        this.max = max;
        this.deadlineNanos = System.nanoTime() + budget.toNanos();
    }

    /** Standard timing: 250 ms doubling to 30 s. */
    public static Backoff within(Duration budget) {
        return new Backoff(Duration.ofMillis(250), Duration.ofSeconds(30), budget);
    }

    public int attempts() {
        return attempt;
    }

    /**
     * Sleeps before the next attempt: the server's hint if given (capped at {@code max}), else
     * the jittered exponential delay. Returns false, without sleeping, once the budget is spent.
     */
    public boolean pause(Duration hint) throws InterruptedException {
        attempt++;
        long cap = Math.min(max.toNanos(), initial.toNanos() << Math.min(attempt - 1, 20));
        long delay = hint != null ? Math.min(hint.toNanos(), max.toNanos())
                : ThreadLocalRandom.current().nextLong(cap / 2, cap + 1);
        if (System.nanoTime() + delay > deadlineNanos) {
            return false;
        }
        // Waiting out the target's own backoff hint: nothing else can signal "try again now".
        Thread.sleep(delay / 1_000_000, (int) (delay % 1_000_000));
        return true;
    }
}
