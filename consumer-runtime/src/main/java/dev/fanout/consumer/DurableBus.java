package dev.fanout.consumer;

import dev.fanout.events.BusMessage;
import dev.fanout.journal.Backlog;
import dev.fanout.journal.DurableLocalBus;
import dev.fanout.journal.JournalDelivery;
import dev.fanout.journal.JournalOptions;
import dev.fanout.journal.JournalStats;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The local default bus: {@link DurableLocalBus} (module local-journal, docs/local-bus.md) seen as
 * an {@link InProcessBus}. A publish completes once the message is in the journal (forced to disk
 * under the default fsync policy); what the sinks have not acked stays on disk across SIGTERM,
 * kill -9 and sink outages and is delivered at the next start.
 */
public final class DurableBus implements InProcessBus {

    private final DurableLocalBus journal;

    private DurableBus(DurableLocalBus journal) {
        this.journal = journal;
    }

    /** Opens (or creates) the journal; fails if the directory is unusable or another process holds it. */
    public static DurableBus open(JournalOptions options) throws IOException {
        return new DurableBus(DurableLocalBus.open(options));
    }

    /** The journal itself (stats, subscriptions it knows). */
    public DurableLocalBus journal() {
        return journal;
    }

    public JournalStats stats() {
        return journal.stats();
    }

    @Override
    public void subscribe(String name, LocalBus.Handler handler, Bounds bounds) {
        journal.subscribe(name, new DurableLocalBus.Handler() {
            @Override
            public void deliver(JournalDelivery d) throws InterruptedException {
                handler.deliver(Delivery.of(d.message(), d::ack, d::nack));
            }

            @Override
            public boolean wants(java.util.Map<String, String> attributes) {
                return handler.wants(attributes);
            }
        }, bounds.maxUnsettledMessages(), bounds.maxUnsettledBytes());
    }

    @Override
    public CompletableFuture<String> publish(BusMessage message) {
        return journal.publish(message);
    }

    @Override
    public boolean healthy() {
        return journal.healthy();
    }

    @Override
    public long outstandingBytes() {
        return journal.outstandingBytes();
    }

    @Override
    public boolean drain(Duration timeout) throws InterruptedException {
        return journal.drain(timeout);
    }

    @Override
    public boolean awaitAllAcked(Duration timeout) throws InterruptedException {
        return journal.awaitAllAcked(timeout);
    }

    @Override
    public Map<String, Backlog> backlog() {
        return journal.backlog();
    }

    @Override
    public boolean durable() {
        return true;
    }

    @Override
    public String describe() {
        JournalOptions o = journal.options();
        return "durable journal " + o.dataDir().toAbsolutePath().normalize() + " (fsync "
                + o.fsyncPolicy().name().toLowerCase(java.util.Locale.ROOT) + ", bound " + o.maxDiskBytes() + " bytes)";
    }

    @Override
    public void close() {
        journal.close();
    }
}
