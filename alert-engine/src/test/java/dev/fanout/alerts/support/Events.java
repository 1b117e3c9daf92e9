package dev.fanout.alerts.support;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.events.Attributes;
import dev.fanout.events.Envelope;
import dev.fanout.events.Severity;
import dev.fanout.events.port.MessageMeta;
import dev.fanout.events.port.SinkRecord;
import dev.fanout.events.port.WriteBatch;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** Envelopes and sink records for alert tests; every event gets a unique id (sequence numbers). */
public final class Events {
    private Events() {}

    private static final AtomicLong SEQ = new AtomicLong();

    public static Envelope event(String host, String sourcetype, Severity severity, String raw, Instant time) {
        return event(host, sourcetype, severity, raw, time, JsonNodeFactory.instance.objectNode());
    }

    public static Envelope event(String host, String sourcetype, Severity severity, String raw, Instant time, ObjectNode fields) {
        String id = String.format("%032x", SEQ.incrementAndGet());
        return new Envelope(id, Envelope.SCHEMA_V1, time, Envelope.TimeSource.EVENT, time, host, "/var/log/app.log",
                sourcetype, "main", severity, raw, fields, null);
    }

    public static MessageMeta message(String id) {
        return new MessageMeta(id, Instant.parse("2026-11-23T10:00:00Z"), 1, Map.of());
    }

    public static MessageMeta replayMessage(String id) {
        return new MessageMeta(id, Instant.parse("2026-11-23T10:00:00Z"), 1, Map.of(Attributes.REPLAY, "run-1"));
    }

    /** One message holding all the envelopes. */
    public static WriteBatch batch(MessageMeta meta, List<Envelope> envelopes) {
        List<SinkRecord> records = new ArrayList<>();
        for (Envelope e : envelopes) {
            records.add(new SinkRecord(e, meta));
        }
        return WriteBatch.of(records, Duration.ofSeconds(30));
    }

    public static WriteBatch batch(List<Envelope> envelopes) {
        return batch(message("m-" + SEQ.incrementAndGet()), envelopes);
    }
}
