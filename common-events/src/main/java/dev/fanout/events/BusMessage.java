package dev.fanout.events;

import java.util.Map;
import java.util.Objects;

/**
 * One message on the event bus, provider-neutral: the Pub/Sub adapter maps it to a
 * {@code PubsubMessage}, the local bus carries it as is.
 *
 * @param data       payload bytes (envelope JSON, or gzip NDJSON of envelopes)
 * @param attributes string attributes (already within Pub/Sub's count and size limits)
 * @param eventCount number of envelopes in {@code data}
 * @param eventIds   ids of the envelopes in {@code data}, in order (not sent; for logs and tests)
 */
public record BusMessage(byte[] data, Map<String, String> attributes, int eventCount, java.util.List<String> eventIds) {
    public BusMessage {
        Objects.requireNonNull(data, "data");
        attributes = Map.copyOf(attributes);
        eventIds = eventIds == null ? java.util.List.of() : java.util.List.copyOf(eventIds);
    }

    /** Bytes Pub/Sub bills and limits for this message: data plus attribute keys and values. */
    public long billableSize() {
        long n = data.length;
        for (var e : attributes.entrySet()) {
            n += e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            n += e.getValue().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        }
        return n;
    }
}
