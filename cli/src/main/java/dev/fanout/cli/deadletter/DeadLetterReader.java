package dev.fanout.cli.deadletter;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.events.Envelope;
import dev.fanout.events.EnvelopeCodec;
import dev.fanout.store.DeadLetterLayout;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Reads the runtime's dead-letter objects (written by consumer-runtime's ObjectStoreDeadLetters in
 * the {@link DeadLetterLayout}; format in docs/archive-format.md): gzip NDJSON under
 * {@code dead-letter/sink=<sink>/dt=YYYY-MM-DD/hr=HH/<hex>.ndjson.gz}, one line per dead letter
 * with {@code sink, kind (event|message), reason, message_id, publish_time, delivery_attempt,
 * attributes, dead_lettered_at} and either {@code event} (the envelope) or {@code data_base64}
 * (an undecodable message's bytes). Lines are kept as read ({@link Letter#json()}) for {@code show}.
 */
public final class DeadLetterReader {
    private DeadLetterReader() {}

    public static final String DEFAULT_PREFIX = DeadLetterLayout.DEFAULT_PREFIX;
    public static final String SUFFIX = DeadLetterLayout.SUFFIX;

    /**
     * @param event      the rejected envelope, or null for an undecodable message
     * @param data       the undecodable message's bytes, or null
     * @param attributes the message's attributes
     * @param problem    why the line could not be understood (then event and data are null)
     */
    public record Letter(String key, int line, JsonNode json, String sink, String reason, Envelope event, byte[] data,
            Map<String, String> attributes, String problem) {}

    public static List<Letter> read(String key, byte[] gz) throws IOException {
        byte[] body;
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            body = in.readAllBytes();
        }
        List<Letter> out = new ArrayList<>();
        String[] lines = new String(body, StandardCharsets.UTF_8).split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            JsonNode n;
            try {
                n = EnvelopeCodec.mapper().readTree(lines[i]);
            } catch (IOException e) {
                out.add(new Letter(key, i + 1, null, null, null, null, null, Map.of(), "not JSON: " + e.getMessage()));
                continue;
            }
            Map<String, String> attrs = new LinkedHashMap<>();
            n.path("attributes").fields().forEachRemaining(f -> attrs.put(f.getKey(), f.getValue().asText()));
            String sink = n.path("sink").asText(null);
            String reason = n.path("reason").asText(null);
            Envelope event = null;
            byte[] data = null;
            String problem = null;
            try {
                if (n.hasNonNull("event")) {
                    event = EnvelopeCodec.fromJson(n.get("event"));
                } else if (n.hasNonNull("data_base64")) {
                    data = Base64.getDecoder().decode(n.get("data_base64").asText());
                } else {
                    problem = "neither 'event' nor 'data_base64'";
                }
            } catch (IllegalArgumentException e) {
                problem = "bad " + (n.hasNonNull("event") ? "event" : "data_base64") + ": " + e.getMessage();
            }
            out.add(new Letter(key, i + 1, n, sink, reason, event, data, attrs, problem));
        }
        return out;
    }
}
