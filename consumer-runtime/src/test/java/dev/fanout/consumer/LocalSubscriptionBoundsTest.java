package dev.fanout.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LocalSubscriptionBoundsTest {

    @Test
    void theBoundFitsAFullBatchOfOneEventMessagesPlusTheQueue() {
        BatchPolicy archive = new BatchPolicy(50_000, 32L << 20, Duration.ofSeconds(2), 2_000, 4L << 20);
        InProcessBus.Bounds b = LocalSubscriptionBounds.forBatch(archive, 1_000, 1, 2);
        assertThat(b.maxUnsettledMessages()).isEqualTo(52_002);
        assertThat(b.maxUnsettledBytes()).isGreaterThan((32L << 20) + (4L << 20));
    }

    @Test
    void aLargerConfiguredBoundIsKept() {
        BatchPolicy tiny = new BatchPolicy(10, 1_000, Duration.ofSeconds(2), 5, 1_000);
        InProcessBus.Bounds b = LocalSubscriptionBounds.forBatch(tiny, 1_000, 1L << 30, 2);
        assertThat(b.maxUnsettledMessages()).isEqualTo(1_000);
        assertThat(b.maxUnsettledBytes()).isEqualTo(1L << 30);
    }
}
