package dev.fanout.consumer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.function.Supplier;

/**
 * The meters of one sink's consumer, all tagged {@code sink=<name>}.
 *
 * <ul>
 *   <li>{@code fanout.consumer.received} messages handed to the batcher</li>
 *   <li>{@code fanout.consumer.written} distinct envelopes the sink confirmed (an id twice in one
 *       batch counts once; a redelivered message written again in a later batch counts again: the
 *       counter measures work at least once, uniques are the sink's own business — the archive's
 *       keys, BigQuery's dedup view)</li>
 *   <li>{@code fanout.consumer.acked} / {@code .nacked} messages acknowledged / negatively acknowledged</li>
 *   <li>{@code fanout.consumer.dead.lettered} dead letters kept, tag {@code kind}: {@code event}
 *       (a record the sink rejected) or {@code message} (an undecodable message)</li>
 *   <li>{@code fanout.consumer.skipped} messages acked without decoding because the sink wants none of
 *       their records ({@code EventSink#wants}: replays the alerts ignore, say)</li>
 *   <li>{@code fanout.consumer.rejected} messages refused because the queue was full or intake stopped</li>
 *   <li>{@code fanout.consumer.batch.size} envelopes per write (distribution)</li>
 *   <li>{@code fanout.consumer.batch.age} age of the oldest message of a batch when it is written</li>
 *   <li>{@code fanout.consumer.write.latency} one batch's writes including retries, tag {@code outcome}</li>
 *   <li>{@code fanout.consumer.write.retries} retried write attempts</li>
 *   <li>{@code fanout.consumer.write.bisections} batches split to isolate records a whole-batch
 *       permanent failure hides</li>
 *   <li>{@code fanout.consumer.queue.messages} messages waiting for a batch (gauge)</li>
 *   <li>{@code fanout.consumer.backlog.messages} / {@code .backlog.bytes} messages accepted and not
 *       yet acked or nacked, and their decoded bytes (gauges): the sink's backlog inside the process</li>
 * </ul>
 */
public final class ConsumerMetrics {

    final Counter received;
    final Counter written;
    final Counter acked;
    final Counter nacked;
    final Counter deadLetteredEvents;
    final Counter deadLetteredMessages;
    final Counter rejected;
    final Counter skipped;
    final Counter retries;
    final Counter bisections;
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
        written = counter("fanout.consumer.written", "Distinct envelopes the sink confirmed");
        acked = counter("fanout.consumer.acked", "Messages acknowledged after the write");
        nacked = counter("fanout.consumer.nacked", "Messages negatively acknowledged (redelivered)");
        deadLetteredEvents = Counter.builder("fanout.consumer.dead.lettered").description("Dead letters kept")
                .tag("sink", sink).tag("kind", "event").register(registry);
        deadLetteredMessages = Counter.builder("fanout.consumer.dead.lettered").description("Dead letters kept")
                .tag("sink", sink).tag("kind", "message").register(registry);
        rejected = counter("fanout.consumer.rejected", "Messages refused (queue full or intake stopped)");
        skipped = counter("fanout.consumer.skipped", "Messages acked without decoding: the sink wants none of their records");
        retries = counter("fanout.consumer.write.retries", "Retried write attempts");
        bisections = counter("fanout.consumer.write.bisections", "Batches split after a whole-batch permanent failure");
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

    void gauges(Supplier<Number> queued, Supplier<Number> backlogMessages, Supplier<Number> backlogBytes) {
        Gauge.builder("fanout.consumer.queue.messages", queued)
                .description("Messages waiting for a batch").tag("sink", sink).register(registry);
        Gauge.builder("fanout.consumer.backlog.messages", backlogMessages)
                .description("Messages accepted and not yet acked or nacked").tag("sink", sink).register(registry);
        Gauge.builder("fanout.consumer.backlog.bytes", backlogBytes).baseUnit("bytes")
                .description("Decoded bytes of the messages accepted and not yet acked or nacked").tag("sink", sink)
                .register(registry);
    }

    public double received() { return received.count(); }
    public double written() { return written.count(); }
    public double acked() { return acked.count(); }
    public double nacked() { return nacked.count(); }
    public double deadLettered() { return deadLetteredEvents.count() + deadLetteredMessages.count(); }
    public double deadLetteredEvents() { return deadLetteredEvents.count(); }
    public double deadLetteredMessages() { return deadLetteredMessages.count(); }
    public double rejected() { return rejected.count(); }
    public double skipped() { return skipped.count(); }
    public double retries() { return retries.count(); }
    public double bisections() { return bisections.count(); }
    public long batches() { return batchSize.count(); }

    private Counter counter(String name, String description) {
        return Counter.builder(name).description(description).tag("sink", sink).register(registry);
    }

    private Timer writeTimer(String outcome) {
        return Timer.builder("fanout.consumer.write.latency").description("Sink write including retries")
                .tag("sink", sink).tag("outcome", outcome).publishPercentileHistogram().register(registry);
    }
}
