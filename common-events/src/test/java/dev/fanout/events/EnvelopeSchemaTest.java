package dev.fanout.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Keeps docs/event-envelope-v1.schema.json and the writer in step. */
class EnvelopeSchemaTest {

    static JsonNode schema() throws IOException {
        Path p = Path.of("..", "docs", "event-envelope-v1.schema.json");
        return EnvelopeCodec.mapper().readTree(Files.readAllBytes(p));
    }

    @Test
    void schemaNamesEveryFieldTheWriterCanEmit() throws IOException {
        JsonNode s = schema();
        Set<String> props = new HashSet<>();
        s.get("properties").fieldNames().forEachRemaining(props::add);
        Set<String> constants = new HashSet<>(List.of(EnvelopeCodec.F_ID, EnvelopeCodec.F_SCHEMA, EnvelopeCodec.F_TIME,
                EnvelopeCodec.F_TIME_SOURCE, EnvelopeCodec.F_RECEIVED_AT, EnvelopeCodec.F_HOST, EnvelopeCodec.F_SOURCE,
                EnvelopeCodec.F_SOURCETYPE, EnvelopeCodec.F_INDEX, EnvelopeCodec.F_SEVERITY, EnvelopeCodec.F_RAW,
                EnvelopeCodec.F_FIELDS, EnvelopeCodec.F_PARSE_ERROR));
        assertThat(props).isEqualTo(constants);

        List<String> severities = new ArrayList<>();
        s.get("properties").get("severity").get("enum").forEach(n -> severities.add(n.asText()));
        assertThat(severities).containsExactlyInAnyOrderElementsOf(
                Arrays.stream(Severity.values()).map(Severity::wireName).toList());

        Set<String> required = new HashSet<>();
        s.get("required").forEach(n -> required.add(n.asText()));
        for (Envelope e : List.of(TestEnvelopes.envelope(1, "r", Severity.INFO), TestEnvelopes.malformed(2))) {
            JsonNode written = EnvelopeCodec.mapper().readTree(EnvelopeCodec.toJson(e));
            Set<String> keys = new HashSet<>();
            written.fieldNames().forEachRemaining(keys::add);
            assertThat(props).containsAll(keys);
            assertThat(keys).containsAll(required);
            assertThat(written.get("time").asText()).matches(s.get("properties").get("time").get("pattern").asText());
            assertThat(written.get("id").asText()).matches(s.get("properties").get("id").get("pattern").asText());
        }
    }
}
