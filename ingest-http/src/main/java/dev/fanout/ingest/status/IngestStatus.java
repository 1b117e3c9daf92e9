package dev.fanout.ingest.status;

import dev.fanout.events.port.EventPublisher;
import dev.fanout.events.status.Health;
import dev.fanout.events.status.StatusContributor;
import dev.fanout.ingest.health.PublishHealth;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code ingest} section of {@code /v1/status}: when a request was last accepted (every event
 * on the bus, answered 2xx) and the publisher's health as readiness sees it ({@code publisher}
 * check). The last publish failure's text is left out: it can quote the topic or the credentials'
 * account; {@code /q/health} and the logs have it.
 */
@ApplicationScoped
public class IngestStatus implements StatusContributor {

    @Inject
    PublishHealth publishHealth;
    @Inject
    EventPublisher publisher;

    @Override
    public String section() {
        return "ingest";
    }

    @Override
    public Object status(Health health) {
        Map<String, Object> s = new LinkedHashMap<>();
        Instant last = publishHealth.lastSuccess();
        s.put("last_accepted_at", last == null ? null : last.toString());
        Map<String, Object> publish = new LinkedHashMap<>();
        publish.put("healthy", health.check("publisher").map(Health.Check::up).orElse(false));
        publish.put("consecutive_failures", publishHealth.consecutiveFailures());
        publish.put("outstanding_bytes", publisher.outstandingBytes());
        publish.put("shutting_down", publishHealth.shuttingDown());
        s.put("publish", publish);
        return s;
    }
}
