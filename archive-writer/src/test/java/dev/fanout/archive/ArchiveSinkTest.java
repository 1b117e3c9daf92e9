package dev.fanout.archive;

import dev.fanout.testsupport.events.TestEvents;

import dev.fanout.store.ArchiveCodec;
import dev.fanout.store.ArchiveLayout;
import dev.fanout.store.FilesystemObjectStore;
import dev.fanout.store.StoredObject;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.events.Envelope;
import dev.fanout.events.EnvelopeCodec;
import dev.fanout.events.port.MessageMeta;
import dev.fanout.events.port.SinkRecord;
import dev.fanout.events.port.WriteBatch;
import dev.fanout.events.port.WriteResult;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiveSinkTest {

    @TempDir
    Path dir;

    private final Instant t0 = Instant.parse("2026-11-23T06:40:00Z");
    private FilesystemObjectStore fs;
    private RecordingStore store;
    private ArchiveSink sink;

    @BeforeEach
    void setUp() {
        fs = new FilesystemObjectStore(dir);
        store = new RecordingStore(fs);
        sink = new ArchiveSink(store, new ArchiveLayout("events"), new ArchiveCodec(6));
    }

    @Test
    void batchSpanningHoursIsSplitByEventHour() throws Exception {
        // 06:40 .. 08:20 → hours 06, 07 and 08.
        List<Envelope> batch = TestEvents.batch(1, 300, t0, 100 * 60_000L);
        Collections.shuffle(batch, new Random(7));

        sink.write(batch);

        List<String> keys = fs.list("events/");
        assertThat(keys).hasSize(3);
        assertThat(keys.get(0)).startsWith("events/dt=2026-11-23/hr=06/");
        assertThat(keys.get(1)).startsWith("events/dt=2026-11-23/hr=07/");
        assertThat(keys.get(2)).startsWith("events/dt=2026-11-23/hr=08/");
        Set<String> seen = new HashSet<>();
        for (String key : keys) {
            String hr = key.substring(key.indexOf("hr=") + 3, key.indexOf("hr=") + 5);
            for (Envelope e : read(key)) {
                assertThat(ArchiveLayout.partition(e.time())).endsWith("hr=" + hr);
                assertThat(seen.add(e.id())).as("id %s archived once", e.id()).isTrue();
            }
        }
        assertThat(seen).hasSize(300);
    }

    @Test
    void replayedEventsAreNotArchivedAgainButRedrivesAndLiveTrafficAre() throws Exception {
        ArchiveSink skipping = new ArchiveSink(store, new ArchiveLayout("events"), new ArchiveCodec(6), true);
        List<Envelope> events = TestEvents.batch(1, 30, t0, 60_000L);
        MessageMeta live = new MessageMeta("m1", t0, 1, Map.of());
        MessageMeta replay = new MessageMeta("m2", t0, 1, Map.of("replay", "replay-20261123-ab"));
        MessageMeta redrive = new MessageMeta("m3", t0, 1, Map.of("replay", "redrive-20261123-cd"));
        List<SinkRecord> records = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            records.add(new SinkRecord(events.get(i), i % 3 == 0 ? live : i % 3 == 1 ? replay : redrive));
        }

        WriteResult result = skipping.write(WriteBatch.of(records, java.time.Duration.ofSeconds(10)));

        assertThat(result.isAllDelivered()).isTrue();
        Set<String> archived = new HashSet<>();
        for (String key : fs.list("events/")) {
            read(key).forEach(e -> archived.add(e.id()));
        }
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < events.size(); i++) {
            if (i % 3 != 1) {
                expected.add(events.get(i).id());
            }
        }
        assertThat(archived).isEqualTo(expected);

        // Switched off (an archive filled by replaying another one): the replayed records are written too.
        sink.write(WriteBatch.of(records, java.time.Duration.ofSeconds(10)));
        archived.clear();
        for (String key : fs.list("events/")) {
            read(key).forEach(e -> archived.add(e.id()));
        }
        assertThat(archived).hasSize(30);

        // The runtime asks before decoding: the same three kinds of message, by their attributes alone.
        assertThat(skipping.wants(live.attributes())).isTrue();
        assertThat(skipping.wants(replay.attributes())).isFalse();
        assertThat(skipping.wants(redrive.attributes())).isTrue();
        assertThat(sink.wants(replay.attributes())).isTrue();
    }

    @Test
    void objectRoundTripsThroughEnvelopeCodecAndIsPlainGzipNdjson() throws Exception {
        List<Envelope> batch = TestEvents.batch(1, 50, t0, 60_000L);
        sink.write(batch);

        String key = fs.list("events/").get(0);
        StoredObject obj = fs.get(key).orElseThrow();
        // Readers use stock gunzip + line splitting, not our code.
        String text;
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(obj.body()))) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String[] lines = text.split("\n");
        assertThat(text).endsWith("\n");
        assertThat(lines).hasSize(50);
        for (String line : lines) {
            JsonNode n = EnvelopeCodec.mapper().readTree(line);
            assertThat(n.path("id").asText()).hasSize(32);
            assertThat(n.path("schema").asInt()).isEqualTo(1);
        }
        List<Envelope> back = ArchiveCodec.decode(obj.body());
        assertThat(back).containsExactlyElementsOf(batch); // batch is already in (time, id) order
    }

    @Test
    void metadataDescribesTheObject() throws Exception {
        List<Envelope> batch = TestEvents.batch(1, 10, Instant.parse("2026-11-23T07:05:00Z"), 9_000L);
        sink.write(batch);

        StoredObject obj = fs.get(fs.list("events/").get(0)).orElseThrow();
        assertThat(obj.contentType()).isEqualTo("application/gzip");
        assertThat(obj.contentEncoding()).isNull();
        assertThat(obj.userMetadata()).containsAllEntriesOf(Map.of(
                ArchiveSink.META_EVENT_COUNT, "10",
                ArchiveSink.META_MIN_EVENT_TIME, "2026-11-23T07:05:00Z",
                ArchiveSink.META_MAX_EVENT_TIME, "2026-11-23T07:05:09Z",
                ArchiveSink.META_SCHEMA, "1",
                ArchiveSink.META_FORMAT, ArchiveSink.FORMAT_EVENTS));
    }

    @Test
    void sameBatchAgainInAnyOrderCreatesNoSecondObject() throws Exception {
        List<Envelope> batch = TestEvents.batch(1, 120, t0, 90 * 60_000L);
        sink.write(batch);
        List<String> first = fs.list("");
        byte[] before = fs.get(first.get(0)).orElseThrow().body();

        List<Envelope> again = new ArrayList<>(batch);
        Collections.shuffle(again, new Random(1));
        again.addAll(batch.subList(0, 10)); // duplicates inside the redelivered batch
        sink.write(again);

        assertThat(fs.list("")).isEqualTo(first);
        assertThat(store.created).hasSize(3); // 06:40..08:10 spans three hours
        assertThat(store.existing).containsExactlyElementsOf(store.created);
        assertThat(fs.get(first.get(0)).orElseThrow().body()).isEqualTo(before);
    }

    @Test
    void duplicateIdsInOneBatchAreWrittenOnce() throws Exception {
        Envelope e = TestEvents.event(5, t0);
        sink.write(List.of(e, TestEvents.event(6, t0), e, e));
        assertThat(read(fs.list("events/").get(0))).extracting(Envelope::id)
                .containsExactlyInAnyOrder(e.id(), TestEvents.event(6, t0).id());
    }

    @Test
    void failedPartitionFailsTheWriteAndTheRetryCompletesIt() throws Exception {
        List<Envelope> batch = TestEvents.batch(1, 200, t0, 100 * 60_000L);
        store.failPutNumber = 2;

        assertThatThrownBy(() -> sink.write(batch)).isInstanceOf(IOException.class);
        assertThat(fs.list("events/")).hasSize(1);
        assertThat(sink.isTransient(new IOException("x"))).isTrue();

        sink.write(batch);
        List<String> keys = fs.list("events/");
        assertThat(keys).hasSize(3);
        assertThat(store.existing).hasSize(1); // the partition written before the failure
        long total = 0;
        for (String k : keys) {
            total += read(k).size();
        }
        assertThat(total).isEqualTo(200);
    }

    @Test
    void emptyBatchWritesNothing() throws Exception {
        sink.write(List.of());
        assertThat(store.puts.get()).isZero();
    }

    @Test
    void eventsOnlyLandUnderTheEventPrefix() throws Exception {
        sink.write(TestEvents.batch(1, 5, t0, 1_000L));
        assertThat(fs.list("")).allMatch(k -> k.startsWith("events/"));
    }

    private List<Envelope> read(String key) throws Exception {
        return ArchiveCodec.decode(fs.get(key).orElseThrow().body());
    }
}
