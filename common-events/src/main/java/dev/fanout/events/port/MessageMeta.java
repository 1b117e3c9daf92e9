package dev.fanout.events.port;

import dev.fanout.events.Attributes;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The bus message an event arrived in, as a sink sees it. Every record of one message shares one
 * instance.
 *
 * @param messageId       the bus's message id (Pub/Sub's, or the local bus's)
 * @param publishTime     when the bus accepted the message; null if the bus does not say
 * @param deliveryAttempt 1 for the first delivery; 0 when the bus does not say (Pub/Sub sets it
 *                        only on subscriptions with a dead-letter policy)
 * @param attributes      the message's attributes, e.g. {@link Attributes#REPLAY}
 */
public record MessageMeta(String messageId, Instant publishTime, int deliveryAttempt, Map<String, String> attributes) {

    public MessageMeta {
        Objects.requireNonNull(messageId, "messageId");
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }

    /** The replay run id of a message published by the replay tool; empty for live traffic. */
    public Optional<String> replay() {
        return Optional.ofNullable(attributes.get(Attributes.REPLAY)).filter(s -> !s.isBlank());
    }

    /** Whether the message was published by a replay (its {@link Attributes#REPLAY} attribute is set). */
    public boolean replayed() {
        return replay().isPresent();
    }
}
