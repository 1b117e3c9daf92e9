package dev.fanout.consumer.health;

import dev.fanout.consumer.SinkBatcher;
import dev.fanout.consumer.config.ConsumerConfig;
import dev.fanout.consumer.quarkus.ConsumerRuntime;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * Ready when every sink's destination answers {@code EventSink.checkReady()} (the way a real write
 * would, e.g. HEAD bucket), its batcher runs and its own delivery works (in pull mode: the sink's
 * own subscriber, not the others'). Results are reused for {@code fanout.consumer.readiness-cache-ttl}
 * so frequent probes don't hammer the destination; a sink turning unready is logged once per change.
 */
@Readiness
@ApplicationScoped
public class SinkReadinessCheck implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(SinkReadinessCheck.class);

    @Inject
    ConsumerRuntime runtime;
    @Inject
    ConsumerConfig config;

    private record Cached(String error, long atNanos) {}

    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder r = HealthCheckResponse.named("fanout-sinks").up();
        boolean up = runtime.accepting();
        r.withData("mode", runtime.mode().name().toLowerCase());
        for (SinkBatcher b : runtime.batchers()) {
            String err = destinationError(b);
            if (err == null && !b.running()) {
                err = "batcher stopped";
            }
            if (err == null) {
                err = runtime.deliveryProblem(b.sinkName());
            }
            r.withData(b.sinkName(), err == null ? "ok" : err);
            if (b.lastFailure() != null) {
                r.withData(b.sinkName() + ".last-failure", b.lastFailureAt() + " " + b.lastFailure());
            }
            up &= err == null;
        }
        return r.status(up).build();
    }

    private String destinationError(SinkBatcher b) {
        long now = System.nanoTime();
        Cached c = cache.get(b.sinkName());
        if (c != null && now - c.atNanos < config.readinessCacheTtl().toNanos()) {
            return c.error;
        }
        String error = null;
        try {
            b.sink().checkReady();
        } catch (Exception e) {
            error = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
        if (error != null && (c == null || !error.equals(c.error))) {
            LOG.warnf("sink %s not ready: %s", b.sinkName(), error);
        }
        cache.put(b.sinkName(), new Cached(error, now));
        return error;
    }
}
