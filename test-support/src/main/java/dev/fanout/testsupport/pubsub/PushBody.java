package dev.fanout.testsupport.pubsub;

import com.google.protobuf.Timestamp;
import com.google.pubsub.v1.PubsubMessage;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON body Pub/Sub POSTs to push endpoints (wrapped format). Both the camelCase and the
 * snake_case id/time fields are written because the real service sends both.
 */
final class PushBody {

    private PushBody() {
    }

    static String json(String subscription, PubsubMessage message, int deliveryAttempt) {
        StringBuilder out = new StringBuilder(256 + message.getData().size() * 4 / 3);
        String publishTime = rfc3339(message.getPublishTime());
        out.append("{\"message\":{\"attributes\":{");
        boolean first = true;
        for (Map.Entry<String, String> e : new TreeMap<>(message.getAttributesMap()).entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            string(out, e.getKey()).append(':');
            string(out, e.getValue());
        }
        out.append("},\"data\":\"").append(Base64.getEncoder().encodeToString(message.getData().toByteArray()))
                .append('"');
        out.append(",\"messageId\":");
        string(out, message.getMessageId());
        out.append(",\"message_id\":");
        string(out, message.getMessageId());
        out.append(",\"publishTime\":");
        string(out, publishTime);
        out.append(",\"publish_time\":");
        string(out, publishTime);
        if (!message.getOrderingKey().isEmpty()) {
            out.append(",\"orderingKey\":");
            string(out, message.getOrderingKey());
        }
        out.append("},\"subscription\":");
        string(out, subscription);
        out.append(",\"deliveryAttempt\":").append(deliveryAttempt).append('}');
        return out.toString();
    }

    static String rfc3339(Timestamp ts) {
        return Instant.ofEpochSecond(ts.getSeconds(), ts.getNanos()).toString();
    }

    private static StringBuilder string(StringBuilder out, String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"');
    }
}
