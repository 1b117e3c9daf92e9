package dev.fanout.ingest;

import dev.fanout.events.port.EventPublisher;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;
import java.time.Duration;

/** The bridge's Micrometer meters (Prometheus names in parentheses). */
@Singleton
public class IngestMetrics {

    private final MeterRegistry registry;
    /** {@code fanout_ingest_events_received_total}: envelopes decoded from accepted-for-processing bodies. */
    private final Counter events;
    /** {@code fanout_ingest_malformed_total}: input lines kept as raw events with a parse error. */
    private final Counter malformed;
    /** {@code fanout_ingest_bytes_received_total{stage=wire|decompressed}}. */
    private final Counter wireBytes;
    private final Counter decompressedBytes;
    /** {@code fanout_ingest_publish_latency_seconds}: from first publish to the last acknowledgement. */
    private final Timer publishLatency;

    public IngestMetrics(MeterRegistry registry, EventPublisher publisher) {
        this.registry = registry;
        this.events = Counter.builder("fanout.ingest.events.received").description("Events decoded").register(registry);
        this.malformed = Counter.builder("fanout.ingest.malformed").description("Malformed input lines kept raw").register(registry);
        this.wireBytes = Counter.builder("fanout.ingest.bytes.received").tag("stage", "wire").baseUnit("bytes")
                .description("Request body bytes as received (compressed)").register(registry);
        this.decompressedBytes = Counter.builder("fanout.ingest.bytes.received").tag("stage", "decompressed").baseUnit("bytes")
                .description("Request body bytes after decompression").register(registry);
        this.publishLatency = Timer.builder("fanout.ingest.publish.latency")
                .description("Time until the bus acknowledged every message of a request")
                .publishPercentileHistogram().register(registry);
        // fanout_ingest_outstanding_bytes: handed to the bus, not yet confirmed or failed.
        Gauge.builder("fanout.ingest.outstanding.bytes", publisher, EventPublisher::outstandingBytes)
                .baseUnit("bytes").description("Bytes handed to the bus and not yet confirmed").register(registry);
    }

    public void received(long wire, long decompressed, int eventCount, int malformedCount) {
        wireBytes.increment(wire);
        decompressedBytes.increment(decompressed);
        events.increment(eventCount);
        malformed.increment(malformedCount);
    }

    /**
     * A {@code /v1/envelopes} body: its bytes count with the ingest bytes,
     * {@code fanout_ingest_replay_envelopes_total{outcome=accepted|rejected}} counts its lines.
     */
    public void replayed(long wire, long decompressed, int accepted, int rejected) {
        wireBytes.increment(wire);
        decompressedBytes.increment(decompressed);
        registry.counter("fanout.ingest.replay.envelopes", "outcome", "accepted").increment(accepted);
        registry.counter("fanout.ingest.replay.envelopes", "outcome", "rejected").increment(rejected);
    }

    public void published(Duration latency) {
        publishLatency.record(latency);
    }

    /** {@code fanout_ingest_rejected_total{reason}}: requests refused, by error code. */
    public void rejected(String reason) {
        registry.counter("fanout.ingest.rejected", "reason", reason).increment();
    }

    /** {@code fanout_ingest_requests_total{status}}: requests to /v1/events and /v1/envelopes by HTTP status. */
    public void request(int status) {
        registry.counter("fanout.ingest.requests", "status", Integer.toString(status)).increment();
    }
}
