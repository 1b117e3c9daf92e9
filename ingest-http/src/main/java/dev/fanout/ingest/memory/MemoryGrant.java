package dev.fanout.ingest.memory;

/**
 * One request's share of the {@link MemoryBudget}. Grows before a buffer grows, shrinks once what
 * it covered is garbage, and is returned whole on {@link #close()} (idempotent; it may run on the
 * bus's callback thread).
 */
public final class MemoryGrant implements AutoCloseable {

    private final MemoryBudget budget;
    private long held;
    private boolean closed;

    MemoryGrant(MemoryBudget budget) {
        this.budget = budget;
    }

    /**
     * Makes the grant cover at least {@code bytes}.
     *
     * @throws dev.fanout.ingest.IngestRejection 503 {@code memory_budget} when the budget cannot give the difference
     */
    public synchronized void ensure(long bytes) {
        if (closed) {
            throw new IllegalStateException("grant already returned");
        }
        long more = bytes - held;
        if (more <= 0) {
            return;
        }
        if (!budget.tryTake(more)) {
            throw budget.exhausted(more);
        }
        held = bytes;
    }

    /** Gives back everything above {@code bytes}. */
    public synchronized void shrinkTo(long bytes) {
        if (!closed && bytes < held) {
            budget.give(held - Math.max(0, bytes));
            held = Math.max(0, bytes);
        }
    }

    public synchronized long held() {
        return held;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            budget.give(held);
            held = 0;
        }
    }
}
