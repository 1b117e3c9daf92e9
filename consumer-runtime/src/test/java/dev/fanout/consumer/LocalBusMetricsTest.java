package dev.fanout.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;

class LocalBusMetricsTest {

    @Test
    void theBacklogGaugesStillReadTheBacklogAfterTheRegisteringObjectIsCollected() throws Exception {
        LocalBus bus = new LocalBus(new LocalBus.Options(1 << 20, 100, Duration.ofMinutes(1), Duration.ofMillis(1), Duration.ofMillis(10)));
        try {
            BlockingQueue<Delivery> held = new LinkedBlockingQueue<>();
            bus.subscribe("analytics", held::put);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            // As LocalDelivery does: the returned object is not kept.
            WeakReference<LocalBusMetrics> ref = new WeakReference<>(LocalBusMetrics.register(registry, bus));
            bus.publish(TestEvents.packed(TestEvents.envelopes("a", 3), null)).get();
            for (int i = 0; i < 50 && ref.get() != null; i++) {
                System.gc();
                Thread.sleep(20);
            }
            // Past the snapshot's reuse window, so the gauge reads the bus again.
            Thread.sleep(LocalBusMetrics.SNAPSHOT_TTL.toMillis() + 50);
            double messages = registry.get("fanout.consumer.local.backlog.messages").tag("sink", "analytics").gauge().value();
            assertThat(messages).isEqualTo(1.0);
            held.take().ack();
            Thread.sleep(LocalBusMetrics.SNAPSHOT_TTL.toMillis() + 50);
            assertThat(registry.get("fanout.consumer.local.backlog.messages").tag("sink", "analytics").gauge().value()).isZero();
        } finally {
            bus.close();
        }
    }
}
