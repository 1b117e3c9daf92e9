package dev.fanout.cli.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.events.EnvelopeCodec;
import dev.fanout.store.ObjectStore;
import dev.fanout.store.PutResult;
import dev.fanout.store.StoredObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Checkpoint in the object store, for Cloud Run Jobs (no disk survives a task attempt):
 *
 * <pre>
 * replay-checkpoints/&lt;run id&gt;/run.json                    the run record, created once by whichever task starts first
 * replay-checkpoints/&lt;run id&gt;/done-&lt;millis&gt;-&lt;random&gt;.ndjson  completed object keys, one write-once object per flush
 * </pre>
 *
 * Completed keys are flushed every {@code interval} or {@code batch} keys (each flush is one
 * class-A PUT on R2); a kill loses at most the keys since the last flush, which are then sent
 * again. Resuming costs one listing and one GET per flush object.
 */
public final class StoreCheckpoint implements Checkpoint {

    public static final String PREFIX = "replay-checkpoints";

    private final ObjectStore store;
    private final String dir;
    private final Duration interval;
    private final int batch;
    private final Clock clock;
    private final Set<String> done = new HashSet<>();
    private final List<String[]> pending = new ArrayList<>();
    private Instant lastFlush;

    public StoreCheckpoint(ObjectStore store, String runId, Duration interval, int batch, Clock clock) {
        this.store = store;
        this.dir = PREFIX + "/" + runId + "/";
        this.interval = interval;
        this.batch = batch;
        this.clock = clock;
    }

    @Override
    public synchronized RunRecord begin(RunRecord proposed) throws Exception {
        lastFlush = clock.instant();
        RunRecord record = proposed;
        String runKey = dir + "run.json";
        PutResult r = store.putIfAbsent(runKey, proposed.toJson(), Map.of(), "application/json", null);
        if (r == PutResult.ALREADY_EXISTS) {
            StoredObject o = store.get(runKey).orElseThrow(() -> new IOException("checkpoint " + runKey + " vanished"));
            record = RunRecord.fromJson(EnvelopeCodec.mapper().readTree(o.body()));
        }
        for (String key : store.list(dir + "done-")) {
            StoredObject o = store.get(key).orElse(null);
            if (o == null) {
                continue;
            }
            for (String line : new String(o.body(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n = EnvelopeCodec.mapper().readTree(line);
                done.add(n.path("key").asText());
            }
        }
        return record;
    }

    @Override
    public synchronized Set<String> done() {
        return Set.copyOf(done);
    }

    @Override
    public synchronized void markDone(String key, long events) throws Exception {
        pending.add(new String[] {key, Long.toString(events)});
        done.add(key);
        if (pending.size() >= batch || !clock.instant().isBefore(lastFlush.plus(interval))) {
            flush();
        }
    }

    @Override
    public synchronized void flush() throws Exception {
        if (pending.isEmpty()) {
            return;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(pending.size() * 120);
        for (String[] p : pending) {
            ObjectNode n = EnvelopeCodec.mapper().createObjectNode();
            n.put("type", "done");
            n.put("key", p[0]);
            n.put("events", Long.parseLong(p[1]));
            out.write(n.toString().getBytes(StandardCharsets.UTF_8));
            out.write('\n');
        }
        Instant now = clock.instant();
        String key = dir + "done-" + String.format("%013d", now.toEpochMilli()) + "-"
                + UUID.randomUUID().toString().substring(0, 8) + ".ndjson";
        store.putIfAbsent(key, out.toByteArray(), Map.of(), "application/x-ndjson", null);
        pending.clear();
        lastFlush = now;
    }

    @Override
    public String describe() {
        return store.describe() + "/" + dir;
    }
}
