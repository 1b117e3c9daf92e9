package dev.fanout.ingest.memory;

import dev.fanout.ingest.config.IngestConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/** The one {@link MemoryBudget} of the process, sized from {@code fanout.ingest.memory.budget-bytes} or the heap. */
@ApplicationScoped
public class MemoryBudgetProducer {

    private static final Logger LOG = Logger.getLogger(MemoryBudgetProducer.class);

    @Produces
    @Singleton
    MemoryBudget budget(IngestConfig config, MeterRegistry registry) {
        long maxHeap = Runtime.getRuntime().maxMemory();
        MemoryBudget b = new MemoryBudget(MemoryBudget.size(config.memory().budgetBytes(), maxHeap));
        // fanout_ingest_memory_budget_bytes{state=used|total}
        Gauge.builder("fanout.ingest.memory.budget", b, MemoryBudget::used).tag("state", "used").baseUnit("bytes")
                .description("Heap bytes granted to requests in flight").register(registry);
        Gauge.builder("fanout.ingest.memory.budget", b, MemoryBudget::total).tag("state", "total").baseUnit("bytes")
                .description("Heap bytes requests may be granted together").register(registry);
        LOG.infof("request memory budget %d bytes (max heap %d bytes)", b.total(), maxHeap);
        return b;
    }
}
