package dev.fanout.ingest.memory;

import dev.fanout.ingest.IngestRejection;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The process-wide heap budget of request bodies: every request takes a {@link MemoryGrant} from it
 * before the first byte of its body is read and grows the grant as its buffer grows; a request that
 * cannot get what it needs is answered 503 + {@code Retry-After} at once (Cribl retries), so the
 * heap is never asked for more than the budget, whatever the senders do.
 *
 * <p>A grant covers a body and everything made from it: {@link #HEAP_PER_BODY_BYTE} bytes per
 * (decompressed) body byte, then, once encoded, the bus messages until the bus confirmed them.
 */
public final class MemoryBudget {

    /**
     * Heap bytes reserved per decompressed body byte: the body itself (1) plus its envelopes as Java
     * objects, measured at 2.9× the NDJSON for ~500-byte Cribl events and 4.3× for ~100-byte lines
     * (docs/benchmarks.md), rounded up so small events fit too.
     */
    public static final int HEAP_PER_BODY_BYTE = 6;
    /** Share of the maximum heap given to the budget when none is configured; the rest is framework, pools and GC headroom. */
    public static final double DEFAULT_HEAP_SHARE = 0.6;

    private final long total;
    private final AtomicLong used = new AtomicLong();

    public MemoryBudget(long totalBytes) {
        if (totalBytes <= 0) {
            throw new IllegalArgumentException("memory budget must be positive: " + totalBytes);
        }
        this.total = totalBytes;
    }

    /** The configured size, or {@link #DEFAULT_HEAP_SHARE} of {@code maxHeapBytes} when {@code configured} is 0. */
    public static long size(long configured, long maxHeapBytes) {
        return configured > 0 ? configured : (long) (maxHeapBytes * DEFAULT_HEAP_SHARE);
    }

    /**
     * A grant of {@code bytes}, or a 503 {@code memory_budget} rejection when the budget cannot give
     * them now. Never waits: a waiting request would hold a connection and a worker thread.
     */
    public MemoryGrant grant(long bytes) {
        MemoryGrant g = new MemoryGrant(this);
        g.ensure(bytes);
        return g;
    }

    boolean tryTake(long bytes) {
        while (true) {
            long cur = used.get();
            if (cur + bytes > total) {
                return false;
            }
            if (used.compareAndSet(cur, cur + bytes)) {
                return true;
            }
        }
    }

    void give(long bytes) {
        used.addAndGet(-bytes);
    }

    IngestRejection exhausted(long wanted) {
        return new IngestRejection(503, "memory_budget", "the bridge's memory budget cannot take " + wanted
                + " more bytes now (" + used.get() + " of " + total + " in use by other requests); retry later");
    }

    public long total() {
        return total;
    }

    public long used() {
        return used.get();
    }
}
