package dev.fanout.events;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

final class TestEnvelopes {
    private TestEnvelopes() {}

    static final Instant RECEIVED = Instant.parse("2026-11-23T19:00:00.123456Z");

    static Envelope envelope(int i, String raw, Severity severity) {
        ObjectNode fields = JsonTrees.NODES.objectNode();
        fields.put("cribl_pipe", "main");
        fields.put("n", i);
        fields.put("ratio", 0.25 + i);
        fields.putArray("tags").add("a").add(i % 2 == 0);
        fields.putObject("http").put("status", 200 + i % 5).putNull("referer");
        return new Envelope(String.format("%032x", i), 1, Instant.ofEpochSecond(1732371234L + i, 567_000_000L),
                Envelope.TimeSource.EVENT, RECEIVED, "web-" + (i % 3), "/var/log/nginx/access.log", "nginx",
                "main", severity, raw, fields, null);
    }

    static List<Envelope> many(int n, int rawLength) {
        List<Envelope> out = new ArrayList<>(n);
        Severity[] s = Severity.values();
        for (int i = 0; i < n; i++) {
            String prefix = "10.0.0." + (i % 250) + " - - [23/Nov/2024:14:13:54 +0000] \"GET /api/item/" + i + " HTTP/1.1\" 200 ";
            StringBuilder raw = new StringBuilder(prefix);
            while (raw.length() < rawLength) {
                raw.append((char) ('a' + (raw.length() * 31 + i) % 26));
            }
            raw.setLength(Math.max(rawLength, 1));
            out.add(envelope(i, raw.toString(), s[(i * 7) % s.length == 0 ? 6 : (i * 7) % s.length]));
        }
        return out;
    }

    static Envelope malformed(int i) {
        return new Envelope(String.format("%032x", i), 1, RECEIVED, Envelope.TimeSource.RECEIVED, RECEIVED, null, null,
                null, null, Severity.INFO, "not { json " + i, JsonTrees.NODES.objectNode(), "invalid JSON: x at column 5");
    }
}
