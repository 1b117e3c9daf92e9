package dev.fanout.alerts.delivery;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.alerts.state.Delivery;
import dev.fanout.store.ArchiveLayout;
import dev.fanout.store.DeadLetterLayout;
import dev.fanout.store.ObjectStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Dead-lettered e-mails in the object store, in the runtime's dead-letter layout ({@link DeadLetterLayout}):
 * {@code dead-letter/sink=alerts/dt=YYYY-MM-DD/hr=HH/<32 hex>.ndjson.gz}, one gzip NDJSON line per
 * e-mail with {@code sink}, {@code kind: "notification"}, {@code reason}, {@code idempotency_key},
 * {@code rule}, {@code fingerprints}, {@code email} (the exact request body) and
 * {@code dead_lettered_at}. The key hashes the Idempotency-Key, so a repeat writes nothing new.
 */
public final class ObjectStoreNotificationDeadLetters implements NotificationDeadLetters {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SINK = "alerts";

    private final ObjectStore store;
    private final DeadLetterLayout layout = new DeadLetterLayout(DeadLetterLayout.DEFAULT_PREFIX);

    public ObjectStoreNotificationDeadLetters(ObjectStore store) {
        this.store = store;
    }

    @Override
    public void write(Delivery.OutgoingEmail email, String reason, long nowMillis) throws Exception {
        Instant now = Instant.ofEpochMilli(nowMillis);
        ObjectNode line = JSON.createObjectNode();
        line.put("sink", SINK);
        line.put("kind", "notification");
        line.put("reason", reason);
        line.put("idempotency_key", email.key);
        line.put("rule", email.rule);
        ArrayNode fps = line.putArray("fingerprints");
        email.fingerprints.forEach(fps::add);
        line.set("email", email.body);
        line.put("dead_lettered_at", now.toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(JSON.writeValueAsBytes(line));
            gz.write('\n');
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        // The runtime's dead-letter layout; the key hashes the Idempotency-Key.
        String key = layout.objectKey(SINK, ArchiveLayout.hourOf(now), List.of("notification:" + email.key));
        store.putIfAbsent(key, out.toByteArray(),
                Map.of("fanout-format", "ndjson+gzip;dead-letter", "fanout-sink", SINK), "application/gzip", null);
    }
}
