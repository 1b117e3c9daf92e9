package dev.fanout.events;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Objects;

/**
 * Envelope v1: the one event shape every Fanout stage reads and writes.
 *
 * <p>JSON field names are snake_case and documented in {@code docs/event-contract.md}; the
 * serialisation lives in {@link EnvelopeCodec}.
 *
 * @param id         deterministic id, the dedupe key of every later stage
 * @param schema     contract version, {@link #SCHEMA_V1}
 * @param time       event time (from Cribl {@code _time}) or the receive time when that is missing/invalid
 * @param timeSource where {@code time} came from
 * @param receivedAt when the ingest bridge received the request
 * @param host       Cribl {@code host}, may be null
 * @param source     Cribl {@code source}, may be null
 * @param sourcetype Cribl {@code sourcetype}, may be null
 * @param index      Cribl {@code index}, may be null
 * @param severity   normalised syslog severity
 * @param raw        Cribl {@code _raw}, or the malformed input line; may be null
 * @param fields     every other top-level field ({@code __*} internals dropped); never null
 * @param parseError why the input line could not be decoded; null for a well-formed event
 */
public record Envelope(
        String id,
        int schema,
        Instant time,
        TimeSource timeSource,
        Instant receivedAt,
        String host,
        String source,
        String sourcetype,
        String index,
        Severity severity,
        String raw,
        ObjectNode fields,
        String parseError) {

    /** Current contract version. */
    public static final int SCHEMA_V1 = 1;

    public Envelope {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(timeSource, "timeSource");
        Objects.requireNonNull(receivedAt, "receivedAt");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(fields, "fields");
    }

    /** True when this envelope preserves an input line that could not be decoded. */
    public boolean malformed() {
        return parseError != null;
    }

    /** Where {@link Envelope#time()} came from. */
    public enum TimeSource {
        /** Cribl's {@code _time}. */
        EVENT,
        /** {@code _time} was missing or invalid: the bridge's receive time was used. */
        RECEIVED;

        /** Computed once: written for every envelope. */
        private final String wireName = name().toLowerCase(java.util.Locale.ROOT);

        public String wireName() {
            return wireName;
        }

        public static TimeSource fromWire(String s) {
            return "received".equals(s) ? RECEIVED : EVENT;
        }
    }
}
