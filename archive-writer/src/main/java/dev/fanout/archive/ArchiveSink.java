package dev.fanout.archive;

import dev.fanout.store.ArchiveCodec;
import dev.fanout.store.ArchiveLayout;
import dev.fanout.store.ObjectStore;
import dev.fanout.store.PutResult;
import dev.fanout.store.ArchiveRetryClassifier;

import dev.fanout.events.Attributes;
import dev.fanout.events.Envelope;
import dev.fanout.events.port.EventSink;
import dev.fanout.events.port.SinkRecord;
import dev.fanout.events.port.WriteBatch;
import dev.fanout.events.port.WriteResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jboss.logging.Logger;

/**
 * {@link EventSink} that archives envelopes as gzip NDJSON objects, one per event-time hour of a
 * batch, into an {@link ObjectStore} (R2/S3 or a local directory).
 *
 * <p>Idempotency: an object's key is a hash of the sorted ids it holds and is created with
 * create-if-absent, so a batch delivered again (in any order) maps to the same keys and creates no
 * second object. A redelivery that is batched differently yields other keys: events may then be
 * archived twice (readers dedupe by {@code id}), never lost.
 *
 * <p>{@link #write} returns only after every object of the batch exists; a failure on any
 * partition throws, and the retry finds the partitions already written as {@link PutResult#ALREADY_EXISTS}.
 */
public class ArchiveSink implements EventSink {

    private static final Logger LOG = Logger.getLogger(ArchiveSink.class);

    public static final String NAME = "archive";

    /** Body media type. No Content-Encoding on purpose: see {@link #write}. */
    public static final String EVENTS_CONTENT_TYPE = "application/gzip";

    /** User metadata keys (S3 sends them as {@code x-amz-meta-<key>}). */
    public static final String META_EVENT_COUNT = "fanout-event-count";
    public static final String META_MIN_EVENT_TIME = "fanout-min-event-time";
    public static final String META_MAX_EVENT_TIME = "fanout-max-event-time";
    public static final String META_SCHEMA = "fanout-schema";
    public static final String META_FORMAT = "fanout-format";
    public static final String FORMAT_EVENTS = "ndjson+gzip;envelope";

    private final ObjectStore store;
    private final ArchiveLayout layout;
    private final ArchiveCodec codec;
    private final boolean skipReplays;

    /** Replay markers starting with this are dead-letter redrives: always archived. */
    public static final String REDRIVE_MARKER_PREFIX = "redrive";

    /** An archive sink that writes every record, replayed or not. */
    public ArchiveSink(ObjectStore store, ArchiveLayout layout, ArchiveCodec codec) {
        this(store, layout, codec, false);
    }

    /** @param skipReplays leave out replayed records except redrives ({@code fanout.archive.skip-replays}) */
    public ArchiveSink(ObjectStore store, ArchiveLayout layout, ArchiveCodec codec, boolean skipReplays) {
        this.store = Objects.requireNonNull(store, "store");
        this.layout = Objects.requireNonNull(layout, "layout");
        this.codec = Objects.requireNonNull(codec, "codec");
        this.skipReplays = skipReplays;
    }

    @Override
    public String name() {
        return NAME;
    }

    public ObjectStore store() {
        return store;
    }

    public ArchiveLayout layout() {
        return layout;
    }

    /** Archives every record's envelope; all-or-nothing, because one object holds many events. */
    @Override
    public WriteResult write(WriteBatch batch) throws Exception {
        List<Envelope> events = new ArrayList<>(batch.size());
        int skipped = 0;
        for (SinkRecord r : batch.records()) {
            if (skipReplays && isArchiveReplay(r)) {
                // Already in the archive it was replayed from: delivered without a second copy.
                skipped++;
                continue;
            }
            events.add(r.envelope());
        }
        if (skipped > 0) {
            LOG.debugf("archive: %d replayed events not archived again (fanout.archive.skip-replays)", skipped);
        }
        write(events);
        return WriteResult.allDelivered();
    }

    /**
     * With {@code skip-replays}, a message replayed from an archive is acked without decoding:
     * every record of it would be skipped by {@link #write}.
     */
    @Override
    public boolean wants(Map<String, String> messageAttributes) {
        if (!skipReplays) {
            return true;
        }
        String replay = messageAttributes.get(Attributes.REPLAY);
        return replay == null || replay.startsWith(REDRIVE_MARKER_PREFIX);
    }

    /** A record replayed from an archive, as opposed to live traffic or a dead-letter redrive. */
    static boolean isArchiveReplay(SinkRecord r) {
        return r.message().replay().filter(id -> !id.startsWith(REDRIVE_MARKER_PREFIX)).isPresent();
    }

    /**
     * Writes one object per event-time hour present in the batch. Objects are stored as
     * {@code application/gzip} without {@code Content-Encoding: gzip}, because HTTP clients and
     * CDNs transparently decompress bodies carrying that header, and a {@code .ndjson.gz} that
     * arrives already inflated breaks {@code gunzip} and DuckDB readers.
     */
    public void write(List<Envelope> events) throws Exception {
        if (events.isEmpty()) {
            return;
        }
        for (Map.Entry<Instant, List<Envelope>> part : partition(events).entrySet()) {
            writePartition(part.getKey(), part.getValue());
        }
    }

    /** Batch → hour → envelopes with distinct ids, ordered by (time, id) for readable, stable bodies. */
    static TreeMap<Instant, List<Envelope>> partition(List<Envelope> events) {
        Map<String, Envelope> byId = new LinkedHashMap<>(events.size() * 2);
        for (Envelope e : events) {
            // Redelivery inside one batch is normal; same id means same event, keep the first.
            byId.putIfAbsent(e.id(), e);
        }
        TreeMap<Instant, List<Envelope>> parts = new TreeMap<>();
        for (Envelope e : byId.values()) {
            parts.computeIfAbsent(ArchiveLayout.hourOf(e.time()), h -> new ArrayList<>()).add(e);
        }
        Comparator<Envelope> order = Comparator.comparing(Envelope::time).thenComparing(Envelope::id);
        parts.values().forEach(list -> list.sort(order));
        return parts;
    }

    private void writePartition(Instant hour, List<Envelope> events) throws Exception {
        List<String> ids = new ArrayList<>(events.size());
        Instant min = events.get(0).time();
        Instant max = min;
        TreeSet<Integer> schemas = new TreeSet<>();
        for (Envelope e : events) {
            ids.add(e.id());
            if (e.time().isBefore(min)) {
                min = e.time();
            }
            if (e.time().isAfter(max)) {
                max = e.time();
            }
            schemas.add(e.schema());
        }
        String key = layout.eventObjectKey(hour, ids);
        byte[] body = codec.encode(events);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(META_EVENT_COUNT, Integer.toString(events.size()));
        meta.put(META_MIN_EVENT_TIME, min.toString());
        meta.put(META_MAX_EVENT_TIME, max.toString());
        meta.put(META_SCHEMA, String.join(",", schemas.stream().map(String::valueOf).toList()));
        meta.put(META_FORMAT, FORMAT_EVENTS);
        PutResult result = store.putIfAbsent(key, body, meta, EVENTS_CONTENT_TYPE, null);
        LOG.debugf("archive %s %s: %d events, %d bytes", result, key, events.size(), body.length);
    }

    @Override
    public void checkReady() throws Exception {
        store.checkReady();
    }

    @Override
    public boolean isTransient(Throwable failure) {
        return ArchiveRetryClassifier.isTransient(failure);
    }

    /** Nothing is buffered here (the runtime batches); the store's lifecycle belongs to its owner. */
    @Override
    public void close() {}

    @Override
    public String toString() {
        return "ArchiveSink[" + store.describe() + ", prefix=" + layout.prefix() + "]";
    }
}
