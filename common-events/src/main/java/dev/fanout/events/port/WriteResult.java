package dev.fanout.events.port;

import java.util.Arrays;
import java.util.Objects;

/**
 * The per-record outcome of one {@link EventSink#write}, by the record's index in the
 * {@link WriteBatch}. The common case, everything delivered, is the shared {@link #allDelivered()}.
 */
public final class WriteResult {

    private static final WriteResult ALL_DELIVERED = new WriteResult(null);

    /** Null when every record was delivered. */
    private final RecordOutcome[] outcomes;

    private WriteResult(RecordOutcome[] outcomes) {
        this.outcomes = outcomes;
    }

    /** Every record of the batch was durably written. */
    public static WriteResult allDelivered() {
        return ALL_DELIVERED;
    }

    /** A result where every record starts delivered and some are marked otherwise. */
    public static Builder builder(int size) {
        return new Builder(size);
    }

    /** Whether every record was delivered. */
    public boolean isAllDelivered() {
        if (outcomes == null) {
            return true;
        }
        for (RecordOutcome o : outcomes) {
            if (!o.delivered()) {
                return false;
            }
        }
        return true;
    }

    /**
     * The outcome of record {@code index}.
     *
     * @throws IndexOutOfBoundsException if the result was built for fewer records
     */
    public RecordOutcome outcome(int index) {
        if (outcomes == null) {
            if (index < 0) {
                throw new IndexOutOfBoundsException(index);
            }
            return RecordOutcome.DELIVERED;
        }
        return outcomes[index];
    }

    /** How many records the result was built for; -1 for {@link #allDelivered()} (any size). */
    public int size() {
        return outcomes == null ? -1 : outcomes.length;
    }

    @Override
    public String toString() {
        return outcomes == null ? "WriteResult[all delivered]" : "WriteResult" + Arrays.toString(outcomes);
    }

    /** Builds a {@link WriteResult}; records not marked are delivered. */
    public static final class Builder {
        private final RecordOutcome[] outcomes;

        private Builder(int size) {
            outcomes = new RecordOutcome[size];
            Arrays.fill(outcomes, RecordOutcome.DELIVERED);
        }

        public Builder set(int index, RecordOutcome outcome) {
            outcomes[index] = Objects.requireNonNull(outcome, "outcome");
            return this;
        }

        public Builder retry(int index, String reason) {
            return set(index, RecordOutcome.retry(reason));
        }

        public Builder reject(int index, String reason) {
            return set(index, RecordOutcome.rejected(reason));
        }

        public WriteResult build() {
            return new WriteResult(outcomes.clone());
        }
    }
}
