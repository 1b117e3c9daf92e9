package dev.fanout.archive;

import dev.fanout.store.ArchiveCodec;
import dev.fanout.store.ArchiveLayout;
import dev.fanout.store.ObjectStore;
import dev.fanout.store.PutResult;
import dev.fanout.store.ArchiveRetryClassifier;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.events.Envelope;
import dev.fanout.events.EnvelopeCodec;
import dev.fanout.events.ReceivedMessage;
import dev.fanout.events.port.EventSink;
import dev.fanout.events.port.SinkRecord;
import dev.fanout.events.port.WriteBatch;
import dev.fanout.events.port.WriteResult;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
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
    public static final String QUARANTINE_DATA_CONTENT_TYPE = "application/octet-stream";
    public static final String QUARANTINE_INFO_CONTENT_TYPE = "application/json";

    /** User metadata keys (S3 sends them as {@code x-amz-meta-<key>}). */
    public static final String META_EVENT_COUNT = "fanout-event-count";
    public static final String META_MIN_EVENT_TIME = "fanout-min-event-time";
    public static final String META_MAX_EVENT_TIME = "fanout-max-event-time";
    public static final String META_SCHEMA = "fanout-schema";
    public static final String META_FORMAT = "fanout-format";
    public static final String META_MESSAGE_ID = "fanout-message-id";
    public static final String META_REASON = "fanout-reason";
    public static final String META_PUBLISH_TIME = "fanout-publish-time";
    public static final String META_ATTRIBUTE_COUNT = "fanout-attribute-count";
    public static final String FORMAT_EVENTS = "ndjson+gzip;envelope";
    public static final String FORMAT_QUARANTINE = "raw-message";

    /** Metadata values are HTTP header values: keep them short, printable ASCII. */
    private static final int MAX_META_VALUE_CHARS = 512;

    private final ObjectStore store;
    private final ArchiveLayout layout;
    private final ArchiveCodec codec;
    private final Clock clock;

    public ArchiveSink(ObjectStore store, ArchiveLayout layout, ArchiveCodec codec, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.layout = Objects.requireNonNull(layout, "layout");
        this.codec = Objects.requireNonNull(codec, "codec");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public ArchiveSink(ObjectStore store, ArchiveLayout layout, ArchiveCodec codec) {
        this(store, layout, codec, Clock.systemUTC());
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
        for (SinkRecord r : batch.records()) {
            events.add(r.envelope());
        }
        write(events);
        return WriteResult.allDelivered();
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

    /**
     * Keeps the message as received: its data in {@code <stem>.bin} and a JSON description
     * (message id, attributes, publish time, delivery attempt, reason) in {@code <stem>.json}. The
     * data goes first: if only the description is missing, the retry adds it.
     */
    @Override
    public void quarantine(ReceivedMessage message, String reason) throws Exception {
        Instant now = clock.instant();
        // Publish time is stable across redeliveries, so the key is too.
        Instant time = message.publishTime() != null ? message.publishTime() : now;
        String stem = layout.quarantineStem(time, message.messageId(), message.data());

        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(META_FORMAT, FORMAT_QUARANTINE);
        meta.put(META_MESSAGE_ID, headerSafe(message.messageId()));
        meta.put(META_REASON, headerSafe(reason == null ? "" : reason));
        if (message.publishTime() != null) {
            meta.put(META_PUBLISH_TIME, message.publishTime().toString());
        }
        meta.put(META_ATTRIBUTE_COUNT, Integer.toString(message.attributes().size()));
        store.putIfAbsent(stem + ArchiveLayout.QUARANTINE_DATA_SUFFIX, message.data(), meta,
                QUARANTINE_DATA_CONTENT_TYPE, null);

        ObjectNode info = EnvelopeCodec.mapper().createObjectNode();
        info.put("message_id", message.messageId());
        info.put("publish_time", message.publishTime() == null ? null : message.publishTime().toString());
        info.put("delivery_attempt", message.deliveryAttempt());
        ObjectNode attrs = info.putObject("attributes");
        new TreeMap<>(message.attributes()).forEach(attrs::put);
        info.put("reason", reason);
        info.put("data_key", stem + ArchiveLayout.QUARANTINE_DATA_SUFFIX);
        info.put("data_bytes", message.data().length);
        info.put("data_sha256", HexFormat.of().formatHex(ArchiveLayout.sha256().digest(message.data())));
        info.put("quarantined_at", now.toString());
        byte[] json = EnvelopeCodec.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(info);
        store.putIfAbsent(stem + ArchiveLayout.QUARANTINE_INFO_SUFFIX, json, meta, QUARANTINE_INFO_CONTENT_TYPE, null);
        LOG.infof("quarantined message %s as %s.bin (%d bytes)", message.messageId(), stem, message.data().length);
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

    /** Printable ASCII only, truncated: metadata travels as HTTP headers and is signed. */
    static String headerSafe(String value) {
        StringBuilder sb = new StringBuilder(Math.min(value.length(), MAX_META_VALUE_CHARS));
        for (int i = 0; i < value.length() && sb.length() < MAX_META_VALUE_CHARS; i++) {
            char c = value.charAt(i);
            sb.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return sb.toString().strip();
    }

    @Override
    public String toString() {
        return "ArchiveSink[" + store.describe() + ", prefix=" + layout.prefix() + "]";
    }
}
