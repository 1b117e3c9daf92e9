package dev.fanout.ingest.publish;

import dev.fanout.events.BusMessage;
import dev.fanout.events.port.EventPublisher;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Accepts and drops every message at once. For benchmarks only: it measures the bridge without the
 * bus, and nothing it "acknowledges" exists anywhere.
 */
public final class BlackholeEventPublisher implements EventPublisher {

    private final AtomicLong sequence = new AtomicLong();

    @Override
    public CompletableFuture<String> publish(BusMessage message) {
        return CompletableFuture.completedFuture(Long.toString(sequence.incrementAndGet()));
    }

    @Override
    public long outstandingBytes() {
        return 0;
    }

    /** Messages dropped so far. */
    public long published() {
        return sequence.get();
    }
}
