package dev.fanout.analytics;

import dev.fanout.events.Attributes;
import dev.fanout.events.Envelope;
import dev.fanout.events.port.MessageMeta;
import dev.fanout.events.port.SinkRecord;
import dev.fanout.events.port.WriteBatch;
import dev.fanout.testsupport.events.TestEvents;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Sink records as the runtime hands them over: envelopes grouped into messages. */
public final class AnalyticsTestRecords {
    private AnalyticsTestRecords() {}

    public static final Instant PUBLISHED = Instant.parse("2026-11-23T10:00:00.123456Z");

    /** {@code count} recent events, 10 per message; every third message is a replay. */
    public static List<SinkRecord> records(int firstId, int count, Instant start) {
        return records(firstId, count, start, 10);
    }

    /** {@code count} recent events, {@code perMessage} per message; every third message is a replay. */
    public static List<SinkRecord> records(int firstId, int count, Instant start, int perMessage) {
        List<Envelope> events = TestEvents.batch(firstId, count, start, 60_000L);
        List<SinkRecord> out = new ArrayList<>(count);
        MessageMeta meta = null;
        for (int i = 0; i < events.size(); i++) {
            if (i % perMessage == 0) {
                int m = (firstId + i) / perMessage;
                Map<String, String> attrs = m % 3 == 0
                        ? Map.of(Attributes.SCHEMA, "1", Attributes.ENCODING, Attributes.ENCODING_NDJSON_GZIP, Attributes.REPLAY, "run-" + m)
                        : Map.of(Attributes.SCHEMA, "1", Attributes.ENCODING, Attributes.ENCODING_NDJSON_GZIP);
                meta = new MessageMeta("msg-" + m, PUBLISHED, 1, attrs);
            }
            out.add(new SinkRecord(events.get(i), meta));
        }
        return out;
    }

    public static WriteBatch batch(List<SinkRecord> records) {
        return WriteBatch.of(records, Duration.ofSeconds(30));
    }
}
