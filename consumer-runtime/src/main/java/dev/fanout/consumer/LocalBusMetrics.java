package dev.fanout.consumer;

import dev.fanout.journal.Backlog;
import dev.fanout.journal.JournalStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Meters of local mode's bus, per sink (tag {@code sink}):
 * <ul>
 *   <li>{@code fanout.consumer.local.backlog.messages} messages the sink has not acked (queued, in flight, awaiting redelivery)</li>
 *   <li>{@code fanout.consumer.local.backlog.bytes} their bytes in the bus</li>
 *   <li>{@code fanout.consumer.local.backlog.oldest.age} seconds since the oldest of them was published</li>
 * </ul>
 * and, for the durable bus, {@code fanout.consumer.local.journal.disk.bytes} (segment files now),
 * {@code .appended.bytes}, {@code .fsyncs}, {@code .torn.tails}, {@code .corrupt.records}, {@code .redeliveries} (counters
 * since start).
 */
public final class LocalBusMetrics {

    /** The backlog is computed under each subscription's lock (and reads a timestamp from disk); scrapes reuse it this long. */
    static final Duration SNAPSHOT_TTL = Duration.ofMillis(500);

    private final InProcessBus bus;
    private volatile Map<String, Backlog> snapshot;
    private volatile long snapshotAt;

    private LocalBusMetrics(InProcessBus bus) {
        this.bus = bus;
    }

    public static LocalBusMetrics register(MeterRegistry registry, InProcessBus bus) {
        LocalBusMetrics m = new LocalBusMetrics(bus);
        for (String sink : bus.backlog().keySet()) {
            m.gauge(registry, "fanout.consumer.local.backlog.messages", sink, "Messages the sink has not acked", "messages",
                    b -> b.messages());
            m.gauge(registry, "fanout.consumer.local.backlog.bytes", sink, "Bytes of the messages the sink has not acked",
                    "bytes", b -> b.bytes());
            m.gauge(registry, "fanout.consumer.local.backlog.oldest.age", sink,
                    "Seconds since the oldest message the sink has not acked was published", "seconds",
                    b -> b.oldestAge().toMillis() / 1000.0);
        }
        if (bus instanceof DurableBus d) {
            Gauge.builder("fanout.consumer.local.journal.disk.bytes", d, x -> x.stats().diskBytes())
                    .description("Bytes of the journal's segment files").baseUnit("bytes").register(registry);
            counter(registry, d, "fanout.consumer.local.journal.appended.bytes", "Record bytes appended to journal segments",
                    JournalStats::bytesAppended);
            counter(registry, d, "fanout.consumer.local.journal.fsyncs", "fdatasyncs of journal segments", JournalStats::fsyncs);
            counter(registry, d, "fanout.consumer.local.journal.torn.tails", "Torn tails cut off when the journal was opened",
                    JournalStats::tornTails);
            counter(registry, d, "fanout.consumer.local.journal.corrupt.records", "Journal records that failed their checksum",
                    JournalStats::corruptRecords);
            counter(registry, d, "fanout.consumer.local.journal.redeliveries", "Deliveries after a nack or an expired ack deadline",
                    JournalStats::redeliveries);
        }
        return m;
    }

    private static void counter(MeterRegistry r, DurableBus d, String name, String help, ToDoubleFunction<JournalStats> f) {
        FunctionCounter.builder(name, d, x -> f.applyAsDouble(x.stats())).description(help).register(r);
    }

    private void gauge(MeterRegistry r, String name, String sink, String help, String unit, ToDoubleFunction<Backlog> f) {
        // Strong: a gauge holds its object weakly by default, and nothing else holds this one; after the
        // first collection every backlog gauge read NaN (a tool waiting for "backlog 0" parsed that as 0).
        Gauge.builder(name, this, m -> f.applyAsDouble(m.of(sink))).description(help).baseUnit(unit).tag("sink", sink)
                .strongReference(true).register(r);
    }

    private Backlog of(String sink) {
        long now = System.nanoTime();
        Map<String, Backlog> s = snapshot;
        if (s == null || now - snapshotAt > SNAPSHOT_TTL.toNanos()) {
            s = bus.backlog();
            snapshot = s;
            snapshotAt = now;
        }
        return s.getOrDefault(sink, Backlog.EMPTY);
    }

    /** {@code archive 12 messages / 3.4 MB, oldest 2.1 s; analytics 0} — for logs and the banner. */
    public static String describe(Map<String, Backlog> backlog) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, Backlog> e : backlog.entrySet()) {
            if (!b.isEmpty()) {
                b.append("; ");
            }
            Backlog x = e.getValue();
            b.append(e.getKey()).append(' ').append(x.messages());
            if (x.messages() > 0) {
                b.append(String.format(Locale.ROOT, " messages / %.1f MB, oldest %.1f s", x.bytes() / 1e6,
                        x.oldestAge().toMillis() / 1000.0));
            }
        }
        return b.isEmpty() ? "no sinks" : b.toString();
    }
}
