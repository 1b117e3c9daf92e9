package dev.fanout.consumer.health;

import dev.fanout.consumer.DurableBus;
import dev.fanout.consumer.InProcessBus;
import dev.fanout.consumer.quarkus.ConsumerRuntime;
import dev.fanout.journal.Backlog;
import dev.fanout.journal.JournalStats;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Local mode: the bus and what each sink has not acked yet ({@code <sink>.backlog-messages},
 * {@code -bytes}, {@code -oldest-seconds}). Down only when the bus cannot accept (a journal whose
 * fsync failed, or shutting down): a backlog alone is what the journal is for, and a sink outage is
 * reported by {@code fanout-sinks}. Absent (up, no data) in push and pull mode.
 */
@Readiness
@ApplicationScoped
public class LocalBusReadinessCheck implements HealthCheck {

    @Inject
    ConsumerRuntime runtime;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder r = HealthCheckResponse.named("fanout-local-bus").up();
        Optional<InProcessBus> maybe = runtime.localBus();
        if (maybe.isEmpty()) {
            return r.withData("mode", runtime.mode().name().toLowerCase()).build();
        }
        InProcessBus bus = maybe.get();
        r.withData("bus", bus.describe());
        for (Map.Entry<String, Backlog> e : bus.backlog().entrySet()) {
            Backlog b = e.getValue();
            r.withData(e.getKey() + ".backlog-messages", b.messages());
            r.withData(e.getKey() + ".backlog-bytes", b.bytes());
            r.withData(e.getKey() + ".backlog-oldest-seconds", b.oldestAge().toSeconds());
        }
        if (bus instanceof DurableBus d) {
            JournalStats s = d.stats();
            r.withData("journal.disk-bytes", s.diskBytes());
            r.withData("journal.max-disk-bytes", d.journal().options().maxDiskBytes());
            r.withData("journal.torn-tails", s.tornTails());
            r.withData("journal.corrupt-records", s.corruptRecords());
        }
        return r.status(bus.healthy()).build();
    }
}
