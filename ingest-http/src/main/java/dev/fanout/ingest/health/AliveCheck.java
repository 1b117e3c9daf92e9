package dev.fanout.ingest.health;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Liveness: answering at all is the signal. Bus trouble is deliberately not a liveness failure —
 * restarting the instance would not fix Pub/Sub and would drop requests in flight.
 */
@Liveness
@ApplicationScoped
public class AliveCheck implements HealthCheck {
    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.up("ingest-bridge");
    }
}
