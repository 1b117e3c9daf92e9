package dev.fanout.events;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A bus message as a consumer receives it (Pub/Sub push or pull, or the local bus).
 *
 * @param messageId       the bus's message id
 * @param data            payload bytes, exactly as published
 * @param attributes      message attributes
 * @param publishTime     when the bus accepted the message; may be null if unknown
 * @param deliveryAttempt 1 for the first delivery; 0 when the bus does not say
 */
public record ReceivedMessage(
        String messageId, byte[] data, Map<String, String> attributes, Instant publishTime, int deliveryAttempt) {
    public ReceivedMessage {
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(data, "data");
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }
}
