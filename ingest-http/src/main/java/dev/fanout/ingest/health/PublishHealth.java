package dev.fanout.ingest.health;

import dev.fanout.events.port.EventPublisher;
import dev.fanout.ingest.config.IngestConfig;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.health.HealthCheckResponse;

/**
 * Readiness from what publishing actually does: DOWN after {@code fanout.ingest.readiness.failure-threshold}
 * consecutive requests whose publish failed or timed out, UP again after the next success; also DOWN
 * while shutting down or when the adapter says it cannot publish.
 *
 * <p>Passive on purpose: an active probe would publish test messages that every sink must then
 * filter out. While DOWN the bridge still serves requests, which is how it notices recovery.
 */
@Singleton
public class PublishHealth {

    private final EventPublisher publisher;
    private final int threshold;
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final AtomicReference<Instant> lastSuccess = new AtomicReference<>();
    private final AtomicReference<String> lastFailure = new AtomicReference<>();
    private volatile boolean shuttingDown;

    public PublishHealth(EventPublisher publisher, IngestConfig config) {
        this.publisher = publisher;
        this.threshold = Math.max(1, config.readiness().failureThreshold());
    }

    public void success() {
        consecutiveFailures.set(0);
        lastSuccess.set(Instant.now());
    }

    public void failure(String reason) {
        consecutiveFailures.incrementAndGet();
        lastFailure.set(reason);
    }

    public boolean shuttingDown() {
        return shuttingDown;
    }

    /** When a request's events were last all accepted by the bus (its 2xx); null before the first. */
    public Instant lastSuccess() {
        return lastSuccess.get();
    }

    /** Requests in a row whose publish failed (0 after a success). */
    public int consecutiveFailures() {
        return consecutiveFailures.get();
    }

    void onShutdownDelay(@Observes ShutdownDelayInitiatedEvent event) {
        shuttingDown = true;
    }

    void onShutdown(@Observes ShutdownEvent event) {
        shuttingDown = true;
    }

    /** The readiness verdict (served by {@link ReadinessCheck}). */
    public HealthCheckResponse check() {
        int failures = consecutiveFailures.get();
        boolean up = !shuttingDown && publisher.healthy() && failures < threshold;
        var b = HealthCheckResponse.named("publisher").status(up)
                .withData("consecutive_failures", failures)
                .withData("outstanding_bytes", publisher.outstandingBytes())
                .withData("shutting_down", shuttingDown);
        Instant ok = lastSuccess.get();
        if (ok != null) {
            b.withData("last_success", ok.toString());
        }
        String fail = lastFailure.get();
        if (fail != null && failures > 0) {
            b.withData("last_failure", fail);
        }
        return b.build();
    }
}
