package dev.fanout.consumer.health;

import dev.fanout.consumer.SinkBatcher;
import dev.fanout.consumer.quarkus.ConsumerRuntime;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;

/**
 * Down only when a sink's writer thread died (or a writer failed) while the app is not shutting
 * down: nothing would ever be written again, so a restart is the fix. A failing destination or a
 * restarting pull subscriber is a readiness matter.
 */
@Liveness
@ApplicationScoped
public class ConsumerLivenessCheck implements HealthCheck {

    @Inject
    ConsumerRuntime runtime;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder r = HealthCheckResponse.named("fanout-consumer").up();
        boolean up = true;
        if (runtime.accepting()) {
            for (SinkBatcher b : runtime.batchers()) {
                boolean alive = b.writersAlive();
                r.withData(b.sinkName(), alive ? "writers running"
                        : "writer stopped" + (b.writerFailure() == null ? "" : ": " + b.writerFailure().getClass().getSimpleName()));
                up &= alive;
            }
        }
        return r.status(up).build();
    }
}
