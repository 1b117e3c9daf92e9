package dev.fanout.analytics.row;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.fanout.events.EnvelopeCodec;
import dev.fanout.events.port.SinkRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * One record as the analytics tables see it: the envelope, its message and the load time. The
 * JSON columns are rendered once per record (both tables and both engines share them) and only
 * when a table asks for them.
 */
public final class AnalyticsRow {

    private final SinkRecord record;
    private final Instant loadedAt;
    private byte[] payload;
    private byte[] fields;
    private byte[] attributes;

    public AnalyticsRow(SinkRecord record, Instant loadedAt) {
        this.record = record;
        this.loadedAt = loadedAt;
    }

    /**
     * As {@link #AnalyticsRow(SinkRecord, Instant)}; when {@code previous} came from the same
     * message, its attributes JSON is reused (every event of a message has the same attributes,
     * and a batch lists a message's events one after another).
     */
    public AnalyticsRow(SinkRecord record, Instant loadedAt, AnalyticsRow previous) {
        this(record, loadedAt);
        if (previous != null && previous.record.message() == record.message()) {
            this.attributes = previous.attributes;
        }
    }

    public SinkRecord record() {
        return record;
    }

    public Instant loadedAt() {
        return loadedAt;
    }

    /** The envelope as delivered (compact JSON, UTF-8). */
    public byte[] payloadJson() {
        if (payload == null) {
            payload = EnvelopeCodec.toJson(record.envelope());
        }
        return payload;
    }

    /** The envelope's {@code fields} object (compact JSON, UTF-8). */
    public byte[] fieldsJson() {
        if (fields == null) {
            fields = EnvelopeCodec.fieldsJson(record.envelope().fields());
        }
        return fields;
    }

    /** The message's attributes as a JSON object with sorted keys (compact, UTF-8). */
    public byte[] attributesJson() {
        if (attributes == null) {
            attributes = attributesJson(record.message().attributes());
        }
        return attributes;
    }

    static byte[] attributesJson(Map<String, String> attrs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(32 + attrs.size() * 32);
        try (JsonGenerator g = EnvelopeCodec.mapper().getFactory().createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            for (Map.Entry<String, String> e : (attrs.size() > 1 ? new TreeMap<>(attrs) : attrs).entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
