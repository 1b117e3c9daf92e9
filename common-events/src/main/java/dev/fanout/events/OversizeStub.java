package dev.fanout.events;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What is kept of an event too large for a Pub/Sub message even gzip-compressed on its own: a
 * malformed envelope with the event's id, time and identifying fields, its {@code raw} (or, without
 * one, its fields as JSON) cut to {@link #MAX_RAW_BYTES}, and its original size. Dropping the other
 * fields is what makes it fit; rejecting the request instead would make Cribl drop every good event
 * of the body with it.
 */
final class OversizeStub {

    /**
     * UTF-8 bytes of {@code raw} kept. JSON escaping can grow text at most 6× ({@code \\u0000}), so
     * a stub's JSON stays below {@link PubSubLimits#SAFE_MESSAGE_BYTES} whatever the text.
     */
    static final int MAX_RAW_BYTES = 1_000_000;
    /** Bytes kept of each of host, source, sourcetype and index. */
    static final int MAX_NAME_BYTES = PubSubLimits.MAX_ATTRIBUTE_VALUE_BYTES;
    /** Field of the stub: size of the original envelope as JSON, in bytes. */
    static final String ORIGINAL_BYTES_FIELD = "original_bytes";

    private OversizeStub() {}

    static Envelope of(Envelope e, int jsonBytes, int gzipBytes) {
        String text = e.raw() != null ? e.raw() : e.fields().toString();
        String kept = Utf8.truncate(text, MAX_RAW_BYTES);
        ObjectNode fields = JsonTrees.NODES.objectNode();
        fields.put(ORIGINAL_BYTES_FIELD, jsonBytes);
        String error = "event too large for a Pub/Sub message: " + jsonBytes + " bytes as JSON, " + gzipBytes
                + " gzip-compressed (at most " + PubSubLimits.SAFE_MESSAGE_BYTES + "); "
                + (e.raw() != null ? "raw" : "fields as JSON, in raw,") + " cut to " + Utf8.length(kept)
                + " bytes, other fields dropped";
        return new Envelope(e.id(), e.schema(), e.time(), e.timeSource(), e.receivedAt(), name(e.host()),
                name(e.source()), name(e.sourcetype()), name(e.index()), e.severity(), kept, fields, error);
    }

    private static String name(String s) {
        return s == null ? null : Utf8.truncate(s, MAX_NAME_BYTES);
    }
}
