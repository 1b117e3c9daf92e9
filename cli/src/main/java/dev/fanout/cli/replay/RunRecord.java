package dev.fanout.cli.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.events.EnvelopeCodec;
import java.io.IOException;
import java.time.Instant;

/**
 * What a replay run is, stored once with its checkpoint: a retried or resumed task (and every
 * other shard) uses the stored range, so {@code --from -1h} means the same hour on every attempt.
 *
 * @param runId   the replay marker value
 * @param from    resolved start (inclusive)
 * @param to      resolved end (exclusive)
 * @param filters {@link EventFilter#describeFilters()}
 * @param target  the target kind and where, e.g. {@code url http://…} (never credentials)
 * @param created when the first attempt started
 */
public record RunRecord(String runId, Instant from, Instant to, String filters, String target, Instant created) {

    public byte[] toJson() {
        ObjectNode n = EnvelopeCodec.mapper().createObjectNode();
        n.put("type", "run");
        n.put("run_id", runId);
        n.put("from", from.toString());
        n.put("to", to.toString());
        n.put("filters", filters);
        n.put("target", target);
        n.put("created", created.toString());
        return n.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    public static RunRecord fromJson(JsonNode n) throws IOException {
        if (!"run".equals(n.path("type").asText())) {
            throw new IOException("not a run record");
        }
        return new RunRecord(n.path("run_id").asText(), Instant.parse(n.path("from").asText()),
                Instant.parse(n.path("to").asText()), n.path("filters").asText(), n.path("target").asText(),
                Instant.parse(n.path("created").asText()));
    }
}
