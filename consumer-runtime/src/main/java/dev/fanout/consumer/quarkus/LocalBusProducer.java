package dev.fanout.consumer.quarkus;

import dev.fanout.consumer.DurableBus;
import dev.fanout.consumer.InProcessBus;
import dev.fanout.consumer.LocalBus;
import dev.fanout.consumer.config.ConsumerConfig;
import dev.fanout.events.port.EventPublisher;
import dev.fanout.journal.FsyncPolicy;
import dev.fanout.journal.JournalOptions;
import io.quarkus.arc.properties.IfBuildProperty;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.inject.Typed;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.jboss.logging.Logger;

/**
 * Creates the in-process bus of local mode: the durable journal by default
 * ({@code fanout.consumer.local.bus=durable}), the in-memory {@link LocalBus} with {@code memory}.
 * The bean is created only when something injects it (the runtime does in local mode). An app built
 * with {@code fanout.consumer.mode=local} also gets it as its {@link EventPublisher}, which replaces
 * the ingest bridge's default Pub/Sub publisher (that one is a {@code @DefaultBean}).
 */
@ApplicationScoped
public class LocalBusProducer {

    private static final Logger LOG = Logger.getLogger(LocalBusProducer.class);

    @Produces
    @Singleton
    @Typed(InProcessBus.class)
    InProcessBus localBus(ConsumerConfig config) {
        ConsumerConfig.Local l = config.local();
        InProcessBus bus = switch (l.bus()) {
            case MEMORY -> new LocalBus(new LocalBus.Options(l.maxOutstandingBytes(), l.maxOutstandingMessages(),
                    l.ackDeadline(), l.minRedeliveryDelay(), l.maxRedeliveryDelay(), l.dispatchThreads()));
            case DURABLE -> openJournal(l);
        };
        LOG.infof("local bus: %s", bus.describe());
        return bus;
    }

    static JournalOptions journalOptions(ConsumerConfig.Local l) {
        ConsumerConfig.Journal j = l.journal();
        Path dir = Path.of(j.dir().orElseThrow(() -> new IllegalStateException(
                "fanout.consumer.local.bus=durable needs fanout.consumer.local.journal.dir")));
        if (j.fsync() == FsyncPolicy.NEVER && !j.unsafeAllowFsyncNever()) {
            throw new IllegalStateException("fanout.consumer.local.journal.fsync=never can lose accepted events in a power"
                    + " cut; set fanout.consumer.local.journal.unsafe-allow-fsync-never=true to run with it anyway");
        }
        JournalOptions d = JournalOptions.defaults(dir);
        // The per-sink unsettled bounds are set per subscription (LocalSubscriptionBounds); these are the floor.
        return d.withFsync(j.fsync(), j.fsyncInterval())
                .withDisk(j.maxDiskBytes(), j.segmentBytes())
                .withUnsettled(l.maxOutstandingMessages(), d.maxUnsettledBytes())
                .withDelivery(l.ackDeadline(), l.minRedeliveryDelay(), l.maxRedeliveryDelay(), l.dispatchThreads())
                .withCheckpointInterval(j.checkpointInterval())
                .withNewSubscriptionStart(j.newSubscriptionStart());
    }

    private static InProcessBus openJournal(ConsumerConfig.Local l) {
        JournalOptions o = journalOptions(l);
        try {
            return DurableBus.open(o);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the local journal in " + o.dataDir().toAbsolutePath()
                    + " (writable? another process using it?)", e);
        }
    }

    @Produces
    @Singleton
    @Typed(EventPublisher.class)
    @IfBuildProperty(name = "fanout.consumer.mode", stringValue = "local")
    EventPublisher localPublisher(InProcessBus bus) {
        return bus;
    }
}
