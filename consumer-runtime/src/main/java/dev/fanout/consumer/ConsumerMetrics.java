package dev.fanout.consumer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.function.Supplier;

/**
 * The meters of one sink's consumer, all tagged {@code sink=<name>}.
 *
 * <ul>
 *   <li>{@code fanout.consumer.received} messages handed to the batcher</li>
 *   <li>{@code fanout.consumer.written} envelopes the sink confirmed</li>
 *   <li>{@code fanout.consumer.acked} / {@code .nacked} messages acknowledged / negatively acknowledged</li>
 *   <li>{@code fanout.consumer.quarantined} undecodable messages kept by the sink</li>
 *   <li>{@code fanout.consumer.rejected} messages refused because the queue was full or the batcher stopped</li>
 *   <li>{@code fanout.consumer.batch.size} envelopes per write (distribution)</li>
 *   <li>{@code fanout.consumer.batch.age} age of the oldest message of a batch when it is written</li>
 *   <li>{@code fanout.consumer.write.latency} duration of one write including retries, tag {@code outcome}</li>
 *   <li>{@code fanout.consumer.write.retries} retried write attempts</li>
 *   <li>{@code fanout.consumer.queue.messages} messages waiting for a batch (gauge)</li>
 * </ul>
 */
public final class ConsumerMetrics {

    final Counter received;
    final Counter written;
    final Counter acked;
    final Counter nacked;
    final Counter quarantined;
    final Counter rejected;
    final Counter retries;
    final DistributionSummary batchSize;
    final Timer batchAge;
    final Timer writeOk;
    final Timer writeFailed;
    private final MeterRegistry registry;
    private final String sink;

    public ConsumerMetrics(MeterRegistry registry, String sink) {
        this.registry = registry;
        this.sink = sink;
        received = counter("fanout.consumer.received", "Messages handed to the batcher");
        written = counter("fanout.consumer.written", "Envelopes the sink confirmed");
        acked = counter("fanout.consumer.acked", "Messages acknowledged after the write");
        nacked = counter("fanout.consumer.nacked", "Messages negatively acknowledged (redelivered)");
        quarantined = counter("fanout.consumer.quarantined", "Undecodable messages kept by the sink");
        rejected = counter("fanout.consumer.rejected", "Messages refused (queue full or stopping)");
        retries = counter("fanout.consumer.write.retries", "Retried write attempts");
        batchSize = DistributionSummary.builder("fanout.consumer.batch.size")
                .description("Envelopes per sink write").baseUnit("events").tag("sink", sink)
                .publishPercentileHistogram().register(registry);
        batchAge = Timer.builder("fanout.consumer.batch.age")
                .description("Age of the oldest message of a batch when it is written").tag("sink", sink)
                .register(registry);
        writeOk = writeTimer("success");
        writeFailed = writeTimer("failure");
    }

    /** Meters in a private registry, for tests and tools without Micrometer wiring. */
    public static ConsumerMetrics unregistered(String sink) {
        return new ConsumerMetrics(new SimpleMeterRegistry(), sink);
    }

    void queueGauge(Supplier<Number> size) {
        io.micrometer.core.instrument.Gauge.builder("fanout.consumer.queue.messages", size)
                .description("Messages waiting for a batch").tag("sink", sink).register(registry);
    }

    public double received() { return received.count(); }
    public double written() { return written.count(); }
    public double acked() { return acked.count(); }
    public double nacked() { return nacked.count(); }
    public double quarantined() { return quarantined.count(); }
    public double rejected() { return rejected.count(); }
    public double retries() { return retries.count(); }
    public long batches() { return batchSize.count(); }

    private Counter counter(String name, String description) {
        return Counter.builder(name).description(description).tag("sink", sink).register(registry);
    }

    private Timer writeTimer(String outcome) {
        return Timer.builder("fanout.consumer.write.latency").description("Sink write including retries")
                .tag("sink", sink).tag("outcome", outcome).publishPercentileHistogram().register(registry);
    }
}
