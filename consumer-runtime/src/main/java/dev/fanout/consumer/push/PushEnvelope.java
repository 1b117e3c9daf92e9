package dev.fanout.consumer.push;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.events.ReceivedMessage;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Parses the JSON body of a Pub/Sub push request:
 * {@code {"message":{"data":"<base64>","attributes":{…},"messageId":"…","publishTime":"…"},
 * "subscription":"…","deliveryAttempt":N}}. Pub/Sub also sends snake_case duplicates
 * ({@code message_id}, {@code publish_time}); both are accepted. {@code data} stays bytes.
 */
public final class PushEnvelope {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private PushEnvelope() {}

    /** The body is not a push envelope at all (answered 400). */
    public static final class NotAPushEnvelope extends Exception {
        public NotAPushEnvelope(String message) {
            super(message);
        }
    }

    /** The parsed message and the subscription it came from (may be null). */
    public record Parsed(ReceivedMessage message, String subscription) {}

    public static Parsed parse(byte[] body) throws NotAPushEnvelope {
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new NotAPushEnvelope("body is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new NotAPushEnvelope("body is not readable JSON");
        }
        if (root == null || !root.isObject()) {
            throw new NotAPushEnvelope("body is not a JSON object");
        }
        JsonNode msg = root.get("message");
        if (msg == null || !msg.isObject()) {
            throw new NotAPushEnvelope("no \"message\" object");
        }
        String id = text(msg, "messageId", "message_id");
        if (id == null || id.isEmpty()) {
            throw new NotAPushEnvelope("message has no messageId");
        }
        byte[] data;
        JsonNode d = msg.get("data");
        if (d == null || d.isNull()) {
            data = new byte[0]; // Pub/Sub omits data for attribute-only messages
        } else if (!d.isTextual()) {
            throw new NotAPushEnvelope("message.data is not a string");
        } else {
            try {
                data = Base64.getDecoder().decode(d.asText());
            } catch (IllegalArgumentException e) {
                throw new NotAPushEnvelope("message.data is not base64");
            }
        }
        Map<String, String> attrs = new HashMap<>();
        JsonNode a = msg.get("attributes");
        if (a != null && !a.isNull()) {
            if (!a.isObject()) {
                throw new NotAPushEnvelope("message.attributes is not an object");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                attrs.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString());
            }
        }
        Instant publishTime = null;
        String pt = text(msg, "publishTime", "publish_time");
        if (pt != null) {
            try {
                publishTime = Instant.parse(pt);
            } catch (DateTimeParseException ignored) {
                // Informational only; a message is not refused for it.
            }
        }
        int attempt = 0;
        JsonNode da = root.get("deliveryAttempt");
        if (da != null && da.canConvertToInt()) {
            attempt = da.asInt();
        }
        JsonNode sub = root.get("subscription");
        return new Parsed(new ReceivedMessage(id, data, attrs, publishTime, attempt),
                sub != null && sub.isTextual() ? sub.asText() : null);
    }

    private static String text(JsonNode node, String name, String alt) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            v = node.get(alt);
        }
        return v == null || v.isNull() ? null : v.asText();
    }
}
