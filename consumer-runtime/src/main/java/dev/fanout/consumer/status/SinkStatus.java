package dev.fanout.consumer.status;

import dev.fanout.consumer.ConsumerMetrics;
import dev.fanout.consumer.InProcessBus;
import dev.fanout.consumer.SinkBatcher;
import dev.fanout.consumer.quarkus.ConsumerRuntime;
import dev.fanout.events.status.Health;
import dev.fanout.events.status.StatusContributor;
import dev.fanout.journal.Backlog;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code sinks} section of {@code /v1/status}: per sink its readiness (the {@code fanout-sinks}
 * check's verdict, not re-evaluated), the last message received and last write confirmed, the
 * in-process backlog, and the counts of the consumer's meters. In local mode also the bus's
 * backlog (what the journal holds that the sink has not acked). The last failure is given by time
 * and exception class only: its message can quote a bucket, an object key or event content.
 */
@ApplicationScoped
public class SinkStatus implements StatusContributor {

    static final String SINK_CHECK = "fanout-sinks";

    @Inject
    ConsumerRuntime runtime;

    @Override
    public String section() {
        return "sinks";
    }

    @Override
    public Object status(Health health) {
        Map<String, Object> readiness = health.check(SINK_CHECK).map(Health.Check::data).orElse(Map.of());
        Map<String, Backlog> bus = runtime.localBus().map(InProcessBus::backlog).orElse(Map.of());
        Map<String, Object> sinks = new LinkedHashMap<>();
        for (SinkBatcher b : runtime.batchers()) {
            sinks.put(b.sinkName(), sink(b, "ok".equals(readiness.get(b.sinkName())), bus.get(b.sinkName())));
        }
        return sinks;
    }

    static Map<String, Object> sink(SinkBatcher b, boolean ready, Backlog busBacklog) {
        ConsumerMetrics m = b.metrics();
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("ready", ready);
        s.put("last_received_at", time(b.lastReceivedAt()));
        s.put("last_written_at", time(b.lastWrittenAt()));
        s.put("backlog", Map.of("messages", b.backlog(), "bytes", b.backlogBytes()));
        if (busBacklog != null) {
            s.put("bus_backlog", Map.of("messages", busBacklog.messages(), "bytes", busBacklog.bytes(),
                    "oldest_seconds", busBacklog.oldestAge().toSeconds()));
        }
        s.put("received_messages", (long) m.received());
        s.put("written_events", (long) m.written());
        s.put("acked_messages", (long) m.acked());
        s.put("nacked_messages", (long) m.nacked());
        s.put("dead_lettered", Map.of("events", (long) m.deadLetteredEvents(), "messages", (long) m.deadLetteredMessages()));
        Map<String, Object> failure = null;
        if (b.lastFailureAt() != null) {
            failure = new LinkedHashMap<>();
            failure.put("at", time(b.lastFailureAt()));
            failure.put("kind", kind(b.lastFailure()));
        }
        s.put("last_failure", failure);
        return s;
    }

    /** {@code "SdkClientException: Unable to …"} → {@code "SdkClientException"}; a fixed reason stays as it is. */
    static String kind(String reason) {
        if (reason == null) {
            return null;
        }
        int colon = reason.indexOf(':');
        return colon < 0 ? reason : reason.substring(0, colon);
    }

    private static String time(Instant t) {
        return t == null ? null : t.toString();
    }
}
