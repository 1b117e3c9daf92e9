package dev.fanout.ingest.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.ingest.IngestRejection;
import org.junit.jupiter.api.Test;

class MemoryBudgetTest {

    @Test
    void grantsUpToTheTotalThenRefusesWith503() {
        MemoryBudget b = new MemoryBudget(1000);
        MemoryGrant a = b.grant(600);
        assertThatThrownBy(() -> b.grant(500)).isInstanceOfSatisfying(IngestRejection.class, r -> {
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.code()).isEqualTo("memory_budget");
        });
        assertThat(b.used()).isEqualTo(600);
        MemoryGrant c = b.grant(400);
        assertThat(b.used()).isEqualTo(1000);
        a.close();
        c.close();
        assertThat(b.used()).isZero();
    }

    @Test
    void aGrantGrowsShrinksAndIsReturnedOnce() {
        MemoryBudget b = new MemoryBudget(1000);
        MemoryGrant g = b.grant(100);
        g.ensure(700);
        assertThat(b.used()).isEqualTo(700);
        assertThatThrownBy(() -> g.ensure(1001)).isInstanceOf(IngestRejection.class);
        assertThat(g.held()).isEqualTo(700);
        g.shrinkTo(50);
        assertThat(b.used()).isEqualTo(50);
        g.close();
        g.close();
        assertThat(b.used()).isZero();
    }

    @Test
    void defaultSizeIsAShareOfTheHeap() {
        assertThat(MemoryBudget.size(0, 1000)).isEqualTo(600);
        assertThat(MemoryBudget.size(123, 1000)).isEqualTo(123);
    }
}
