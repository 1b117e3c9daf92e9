package dev.fanout.consumer.deadletter;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.events.EnvelopeCodec;
import dev.fanout.events.ReceivedMessage;
import dev.fanout.store.ArchiveLayout;
import dev.fanout.store.ArchiveRetryClassifier;
import dev.fanout.store.DeadLetterLayout;
import dev.fanout.store.ObjectStore;
import dev.fanout.store.PutResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import org.jboss.logging.Logger;

/**
 * The dead-letter store as gzip NDJSON objects in the archive's {@link ObjectStore} (R2, or
 * {@code $FANOUT_DATA_DIR/archive} locally), one object per sink and publish hour of a
 * {@link #write} (layout: {@link DeadLetterLayout}; line format: docs/archive-format.md).
 */
public final class ObjectStoreDeadLetters implements DeadLetters {

    private static final Logger LOG = Logger.getLogger(ObjectStoreDeadLetters.class);

    public static final String CONTENT_TYPE = "application/gzip";
    public static final String META_FORMAT = "fanout-format";
    public static final String META_LETTER_COUNT = "fanout-letter-count";
    public static final String FORMAT = "ndjson+gzip;dead-letter";

    private final ObjectStore store;
    private final DeadLetterLayout layout;
    private final Clock clock;

    public ObjectStoreDeadLetters(ObjectStore store, DeadLetterLayout layout, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.layout = Objects.requireNonNull(layout, "layout");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public void write(List<DeadLetter> letters) throws Exception {
        if (letters.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        // Publish time is the same on every redelivery, so the same letters map to the same key.
        Map<String, Map<Instant, List<DeadLetter>>> bySinkAndHour = new TreeMap<>();
        for (DeadLetter l : letters) {
            Instant t = l.message().publishTime() != null ? l.message().publishTime() : now;
            bySinkAndHour.computeIfAbsent(l.sink(), s -> new TreeMap<>())
                    .computeIfAbsent(ArchiveLayout.hourOf(t), h -> new ArrayList<>()).add(l);
        }
        for (Map.Entry<String, Map<Instant, List<DeadLetter>>> sink : bySinkAndHour.entrySet()) {
            for (Map.Entry<Instant, List<DeadLetter>> hour : sink.getValue().entrySet()) {
                writeObject(sink.getKey(), hour.getKey(), hour.getValue(), now);
            }
        }
    }

    private void writeObject(String sink, Instant hour, List<DeadLetter> letters, Instant now) throws Exception {
        List<String> ids = new ArrayList<>(letters.size());
        for (DeadLetter l : letters) {
            ids.add(letterId(l));
        }
        String key = layout.objectKey(sink, hour, ids);
        byte[] body = encode(letters, now);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(META_FORMAT, FORMAT);
        meta.put(META_LETTER_COUNT, Integer.toString(letters.size()));
        PutResult r = store.putIfAbsent(key, body, meta, CONTENT_TYPE, null);
        LOG.debugf("dead letters %s %s: %d lines", r, key, letters.size());
    }

    /** Identity of a letter: its message and either its event id or a hash of the undecodable data. */
    static String letterId(DeadLetter l) {
        String what = l.event() != null ? "event:" + l.event().id()
                : "data:" + HexFormat.of().formatHex(ArchiveLayout.sha256().digest(l.message().data()));
        return l.message().messageId() + "/" + what;
    }

    static byte[] encode(List<DeadLetter> letters, Instant now) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512 + letters.size() * 256);
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes, 16 * 1024)) {
            for (DeadLetter l : letters) {
                ObjectNode n = line(l, now);
                try (JsonGenerator g = EnvelopeCodec.mapper().getFactory().createGenerator(gzip)) {
                    g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
                    EnvelopeCodec.mapper().writeTree(g, n);
                }
                gzip.write('\n');
            }
        }
        return bytes.toByteArray();
    }

    static ObjectNode line(DeadLetter l, Instant now) throws IOException {
        ReceivedMessage m = l.message();
        ObjectNode n = EnvelopeCodec.mapper().createObjectNode();
        n.put("dead_lettered_at", now.toString());
        n.put("sink", l.sink());
        n.put("kind", l.kind());
        n.put("reason", l.reason());
        n.put("message_id", m.messageId());
        n.put("publish_time", m.publishTime() == null ? null : m.publishTime().toString());
        n.put("delivery_attempt", m.deliveryAttempt());
        ObjectNode attrs = n.putObject("attributes");
        new TreeMap<>(m.attributes()).forEach(attrs::put);
        if (l.event() != null) {
            n.set("event", EnvelopeCodec.mapper().readTree(EnvelopeCodec.toJson(l.event())));
        } else {
            n.put("data_base64", Base64.getEncoder().encodeToString(m.data()));
        }
        return n;
    }

    @Override
    public boolean isTransient(Throwable failure) {
        return ArchiveRetryClassifier.isTransient(failure);
    }

    @Override
    public String describe() {
        return store.describe() + "/" + layout.prefix();
    }
}
