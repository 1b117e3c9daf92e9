package dev.fanout.consumer.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.consumer.TestEvents;
import dev.fanout.events.EnvelopeCodec;
import dev.fanout.events.ReceivedMessage;
import dev.fanout.store.ArchiveLayout;
import dev.fanout.store.DeadLetterLayout;
import dev.fanout.store.FilesystemObjectStore;
import dev.fanout.store.StoredObject;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dead-letter store's objects on the filesystem store: layout, line format, idempotency. */
class ObjectStoreDeadLettersTest {

    @TempDir
    Path dir;

    private final Clock clock = Clock.fixed(Instant.parse("2026-11-23T12:34:56Z"), ZoneOffset.UTC);
    private FilesystemObjectStore fs;
    private ObjectStoreDeadLetters store;

    @BeforeEach
    void setUp() {
        fs = new FilesystemObjectStore(dir);
        store = new ObjectStoreDeadLetters(fs, DeadLetterLayout.beside(new ArchiveLayout("events"), "dead-letter"), clock);
    }

    private List<JsonNode> lines(String key) throws Exception {
        StoredObject o = fs.get(key).orElseThrow();
        assertThat(o.contentType()).isEqualTo(ObjectStoreDeadLetters.CONTENT_TYPE);
        List<JsonNode> out = new ArrayList<>();
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(o.body()))) {
            for (String l : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                out.add(EnvelopeCodec.mapper().readTree(l));
            }
        }
        return out;
    }

    @Test
    void anUndecodableMessageIsKeptAsReceivedWithItsAttributesUnderItsPublishHour() throws Exception {
        byte[] data = {(byte) 0x1f, (byte) 0x8b, 0, 1, 2, (byte) 0xff};
        ReceivedMessage m = new ReceivedMessage("msg-42", data,
                Map.of("encoding", "ndjson+gzip", "schema", "1", "traceparent", "00-abc-def-01"),
                Instant.parse("2026-11-23T05:59:59.500Z"), 3);

        store.write(List.of(DeadLetter.undecodable("archive", m, "gzip stream truncated")));

        List<String> keys = fs.list("");
        assertThat(keys).singleElement().asString().matches("dead-letter/sink=archive/dt=2026-11-23/hr=05/[0-9a-f]{32}\\.ndjson\\.gz");
        JsonNode line = lines(keys.get(0)).get(0);
        assertThat(line.path("kind").asText()).isEqualTo("message");
        assertThat(line.path("sink").asText()).isEqualTo("archive");
        assertThat(line.path("message_id").asText()).isEqualTo("msg-42");
        assertThat(line.path("delivery_attempt").asInt()).isEqualTo(3);
        assertThat(line.path("publish_time").asText()).isEqualTo("2026-11-23T05:59:59.500Z");
        assertThat(line.path("attributes").path("traceparent").asText()).isEqualTo("00-abc-def-01");
        assertThat(line.path("attributes").size()).isEqualTo(3);
        assertThat(line.path("reason").asText()).isEqualTo("gzip stream truncated");
        assertThat(Base64.getDecoder().decode(line.path("data_base64").asText())).isEqualTo(data);
        assertThat(line.path("dead_lettered_at").asText()).isEqualTo("2026-11-23T12:34:56Z");
        assertThat(line.has("event")).isFalse();

        // Redelivered: the same key, nothing new.
        store.write(List.of(DeadLetter.undecodable("archive", m, "gzip stream truncated")));
        assertThat(fs.list("")).isEqualTo(keys);
    }

    @Test
    void rejectedEventsKeepTheirEnvelopeAndAreSplitBySinkAndHour() throws Exception {
        ReceivedMessage m1 = new ReceivedMessage("m1", new byte[] {1}, Map.of("replay", "r-1"), Instant.parse("2026-11-23T07:10:00Z"), 1);
        ReceivedMessage m2 = new ReceivedMessage("m2", new byte[] {2}, Map.of(), Instant.parse("2026-11-23T08:00:00Z"), 2);
        var e1 = TestEvents.envelope("e1");
        var e2 = TestEvents.envelope("e2");

        store.write(List.of(DeadLetter.rejected("analytics", m1, e1, "row refused"),
                DeadLetter.rejected("analytics", m2, e2, "row refused too")));

        List<String> keys = fs.list("dead-letter/");
        assertThat(keys).hasSize(2);
        assertThat(keys.get(0)).startsWith("dead-letter/sink=analytics/dt=2026-11-23/hr=07/");
        assertThat(keys.get(1)).startsWith("dead-letter/sink=analytics/dt=2026-11-23/hr=08/");
        JsonNode l1 = lines(keys.get(0)).get(0);
        assertThat(l1.path("kind").asText()).isEqualTo("event");
        assertThat(EnvelopeCodec.fromJson(l1.get("event"))).isEqualTo(e1);
        assertThat(l1.path("attributes").path("replay").asText()).isEqualTo("r-1");
        assertThat(l1.path("reason").asText()).isEqualTo("row refused");
        assertThat(l1.has("data_base64")).isFalse();
    }

    @Test
    void withoutPublishTimeTheLetterIsFiledUnderNow() throws Exception {
        store.write(List.of(DeadLetter.undecodable("archive", new ReceivedMessage("m", new byte[] {1}, null, null, 0), "bad")));
        assertThat(fs.list("dead-letter/")).singleElement().asString().startsWith("dead-letter/sink=archive/dt=2026-11-23/hr=12/");
    }
}
