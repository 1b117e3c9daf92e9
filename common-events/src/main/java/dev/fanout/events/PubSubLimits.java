package dev.fanout.events;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Google Cloud Pub/Sub limits the bus mapping honours before anything is sent.
 *
 * @see <a href="https://cloud.google.com/pubsub/quotas">Pub/Sub quotas and limits</a>
 */
public final class PubSubLimits {
    private PubSubLimits() {}

    /** Publish request size (the Java client counts 10,000,000 bytes). */
    public static final int MAX_REQUEST_BYTES = 10_000_000;
    /** Message size: data plus attributes. */
    public static final int MAX_MESSAGE_BYTES = 10_000_000;
    /** Messages per publish request. */
    public static final int MAX_MESSAGES_PER_REQUEST = 1_000;
    /** Attributes per message. */
    public static final int MAX_ATTRIBUTES = 100;
    /** Attribute key size in UTF-8 bytes. */
    public static final int MAX_ATTRIBUTE_KEY_BYTES = 256;
    /** Attribute value size in UTF-8 bytes. */
    public static final int MAX_ATTRIBUTE_VALUE_BYTES = 1_024;
    /**
     * Headroom kept free in every message and request for protobuf framing (field tags, lengths,
     * map entries), the topic name and anything a client adds; generous on purpose.
     */
    public static final int FRAMING_HEADROOM_BYTES = 500_000;
    /** Budget for one message's data plus attribute keys and values, as the encoder enforces it. */
    public static final int SAFE_MESSAGE_BYTES = MAX_MESSAGE_BYTES - FRAMING_HEADROOM_BYTES;
    /** Quota and billing count every request as at least this many bytes. */
    public static final int MIN_BILLED_REQUEST_BYTES = 1_000;

    /**
     * Value for {@code BatchingSettings.requestByteThreshold}. The Java {@code Publisher} sends the
     * current batch before adding a message that would reach the threshold, so a request carries at
     * most this many message bytes (or one message alone, which the encoder keeps under
     * {@link #SAFE_MESSAGE_BYTES}); the rest of {@link #MAX_REQUEST_BYTES} is framing headroom.
     */
    public static int publisherRequestByteThreshold() {
        return MAX_REQUEST_BYTES - FRAMING_HEADROOM_BYTES;
    }

    /** Value for {@code BatchingSettings.elementCountThreshold}: the per-request message cap. */
    public static int publisherElementCountThreshold() {
        return MAX_MESSAGES_PER_REQUEST;
    }

    /** Largest data payload that still fits one message next to {@code attributes}. */
    public static int maxDataBytes(Map<String, String> attributes) {
        return SAFE_MESSAGE_BYTES - attributeBytes(attributes);
    }

    /** UTF-8 bytes of every attribute key and value (what Pub/Sub counts toward the message size). */
    public static int attributeBytes(Map<String, String> attributes) {
        int n = 0;
        for (Map.Entry<String, String> e : attributes.entrySet()) {
            n += Utf8.length(e.getKey()) + Utf8.length(e.getValue());
        }
        return n;
    }

    /** {@code value} cut to {@link #MAX_ATTRIBUTE_VALUE_BYTES} without splitting a code point. */
    public static String truncateAttributeValue(String value) {
        return Utf8.truncate(value, MAX_ATTRIBUTE_VALUE_BYTES);
    }

    /**
     * A copy of {@code attributes} that Pub/Sub accepts: values truncated UTF-8-safely; a key that
     * is empty or too long, or more than {@link #MAX_ATTRIBUTES} entries, is a programming error.
     *
     * @throws IllegalArgumentException on a bad key or too many attributes
     */
    public static Map<String, String> sanitize(Map<String, String> attributes) {
        if (attributes.size() > MAX_ATTRIBUTES) {
            throw new IllegalArgumentException("more than " + MAX_ATTRIBUTES + " attributes: " + attributes.size());
        }
        Map<String, String> out = new LinkedHashMap<>(attributes.size() * 2);
        for (Map.Entry<String, String> e : attributes.entrySet()) {
            String k = e.getKey();
            if (k == null || k.isEmpty() || Utf8.length(k) > MAX_ATTRIBUTE_KEY_BYTES) {
                throw new IllegalArgumentException("attribute key empty or over " + MAX_ATTRIBUTE_KEY_BYTES + " bytes");
            }
            out.put(k, e.getValue() == null ? "" : truncateAttributeValue(e.getValue()));
        }
        return out;
    }
}
