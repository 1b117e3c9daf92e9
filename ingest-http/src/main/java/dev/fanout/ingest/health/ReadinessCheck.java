package dev.fanout.ingest.health;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Serves {@link PublishHealth}'s verdict at {@code /q/health/ready}. */
@Readiness
@ApplicationScoped
public class ReadinessCheck implements HealthCheck {

    private final PublishHealth health;

    public ReadinessCheck(PublishHealth health) {
        this.health = health;
    }

    @Override
    public HealthCheckResponse call() {
        return health.check();
    }
}
