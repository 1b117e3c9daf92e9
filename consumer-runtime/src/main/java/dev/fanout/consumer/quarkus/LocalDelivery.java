package dev.fanout.consumer.quarkus;

import dev.fanout.consumer.BatchPolicy;
import dev.fanout.consumer.Delivery;
import dev.fanout.consumer.InProcessBus;
import dev.fanout.consumer.Intake;
import dev.fanout.consumer.LocalBus;
import dev.fanout.consumer.LocalBusMetrics;
import dev.fanout.consumer.LocalSubscriptionBounds;
import dev.fanout.consumer.SinkBatcher;
import dev.fanout.consumer.config.ConsumerConfig;
import dev.fanout.journal.Backlog;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Local mode's {@link Intake}: one bus subscription per sink batcher (with an unsettled bound that
 * lets its batch fill), the backlog meters, and the bus's part of shutdown (stop intake and hand
 * over what is queued; after the flush, say what is left and close — a durable bus keeps it).
 */
final class LocalDelivery implements Intake {

    private static final Logger LOG = Logger.getLogger(LocalDelivery.class);

    private final InProcessBus bus;
    private final ConsumerConfig.Local config;

    private final MeterRegistry registry;

    LocalDelivery(InProcessBus bus, ConsumerConfig.Local config, MeterRegistry registry) {
        this.bus = bus;
        this.config = config;
        this.registry = registry;
    }

    InProcessBus bus() {
        return bus;
    }

    @Override
    public void start(Collection<SinkBatcher> batchers) {
        for (SinkBatcher b : batchers) {
            BatchPolicy p = b.policy();
            InProcessBus.Bounds bounds = LocalSubscriptionBounds.forBatch(p, config.maxOutstandingMessages(),
                    1, config.dispatchThreads());
            bus.subscribe(b.sinkName(), new LocalBus.Handler() {
                @Override
                public void deliver(Delivery delivery) throws InterruptedException {
                    b.submit(delivery);
                }

                @Override
                public boolean wants(Map<String, String> attributes) {
                    return b.takesMessage(attributes);
                }
            }, bounds);
            LOG.debugf("sink %s: local subscription holds up to %d messages / %d bytes unsettled", b.sinkName(),
                    bounds.maxUnsettledMessages(), bounds.maxUnsettledBytes());
        }
        if (registry != null) {
            LocalBusMetrics.register(registry, bus);
        }
        Map<String, Backlog> backlog = bus.backlog();
        if (backlog.values().stream().anyMatch(x -> x.messages() > 0)) {
            LOG.infof("local bus: delivering the backlog of an earlier run: %s", LocalBusMetrics.describe(backlog));
        }
    }

    /** Stops intake and hands what the bus holds to the batchers for at most {@code timeout} (and the drain timeout). */
    @Override
    public void stopIntake(Duration budget) throws InterruptedException {
        Duration timeout = budget.compareTo(config.drainTimeout()) < 0 ? budget : config.drainTimeout();
        if (!bus.drain(timeout)) {
            LOG.infof("local bus: intake stopped; not everything was handed to the sinks within %s%s", timeout,
                    bus.durable() ? " (the rest stays in the journal for the next start)" : "");
        }
    }

    /** After the batchers flushed: says what is left per sink, then closes the bus. */
    @Override
    public void close(Duration timeout) {
        Map<String, Backlog> left = bus.backlog();
        boolean any = left.values().stream().anyMatch(x -> x.messages() > 0);
        if (bus.durable()) {
            LOG.infof("local bus: %s; %s", any ? "not yet acked, kept in the journal for the next start: "
                    + LocalBusMetrics.describe(left) : "every accepted message was acked by every sink", bus.describe());
        }
        bus.close();
    }
}
