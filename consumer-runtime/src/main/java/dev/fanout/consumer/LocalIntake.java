package dev.fanout.consumer;

import java.time.Duration;
import java.util.Collection;
import org.jboss.logging.Logger;

/** Local delivery: one {@link LocalBus} subscription per sink, handing messages to the sink's batcher. */
public final class LocalIntake implements Intake {

    private static final Logger LOG = Logger.getLogger(LocalIntake.class);

    private final LocalBus bus;
    private final Duration drainTimeout;

    public LocalIntake(LocalBus bus, Duration drainTimeout) {
        this.bus = bus;
        this.drainTimeout = drainTimeout;
    }

    @Override
    public void start(Collection<SinkBatcher> batchers) {
        for (SinkBatcher b : batchers) {
            bus.subscribe(b.sinkName(), b::submit);
        }
    }

    /** The bus hands what it queued to the batchers before they flush. */
    @Override
    public void stopIntake(Duration timeout) throws InterruptedException {
        if (!bus.drain(timeout.compareTo(drainTimeout) < 0 ? timeout : drainTimeout)) {
            LOG.warn("local bus did not hand over every queued message before the drain timeout");
        }
    }

    @Override
    public void close(Duration timeout) {
        bus.close();
    }
}
