package dev.fanout.cli;

import dev.fanout.archive.ArchiveSink;
import dev.fanout.events.Envelope;
import dev.fanout.store.ArchiveCodec;
import dev.fanout.store.ArchiveLayout;
import dev.fanout.store.FilesystemObjectStore;
import dev.fanout.store.ObjectStore;
import dev.fanout.store.StoredObject;
import dev.fanout.testsupport.events.TestEvents;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Archives written by the real archive writer, for replay tests. */
public final class TestArchive {
    private TestArchive() {}

    public static final ArchiveLayout LAYOUT = new ArchiveLayout("events");

    /** Writes {@code events} in batches of {@code perBatch} (one object per hour per batch), as archive-sink would. */
    public static void write(ObjectStore store, List<Envelope> events, int perBatch) throws Exception {
        ArchiveSink sink = new ArchiveSink(store, LAYOUT, new ArchiveCodec(1));
        for (int i = 0; i < events.size(); i += perBatch) {
            sink.write(events.subList(i, Math.min(events.size(), i + perBatch)));
        }
    }

    public static FilesystemObjectStore dir(Path root, List<Envelope> events, int perBatch) throws Exception {
        FilesystemObjectStore store = new FilesystemObjectStore(root);
        write(store, events, perBatch);
        return store;
    }

    /** {@code count} events spread evenly over {@code hours} hours from {@code start}, ids from {@code firstId}. */
    public static List<Envelope> events(int firstId, int count, Instant start, int hours) {
        return TestEvents.batch(firstId, count, start, hours * 3_600_000L - 1);
    }

    /** Every NDJSON line of every event object, exactly as stored. */
    public static List<String> lines(ObjectStore store) throws Exception {
        List<String> out = new ArrayList<>();
        for (String key : store.list(LAYOUT.prefix() + "/")) {
            StoredObject o = store.get(key).orElseThrow();
            out.addAll(gunzipLines(o.body()));
        }
        return out;
    }

    public static List<String> gunzipLines(byte[] gz) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            String s = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return s.isEmpty() ? List.of() : List.of(s.split("\n"));
        }
    }
}
