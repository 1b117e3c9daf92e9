package dev.fanout.cli.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.events.EnvelopeCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checkpoint in a local file: a run record line, then one line per completed object, appended and
 * fsynced as each object completes. A line cut off by a kill is ignored on resume (that object is
 * sent again: at-least-once, and every event keeps its id).
 */
public final class FileCheckpoint implements Checkpoint {

    private final Path file;
    private final Set<String> done = new HashSet<>();
    private FileChannel channel;

    public FileCheckpoint(Path file) {
        this.file = file.toAbsolutePath();
    }

    @Override
    public synchronized RunRecord begin(RunRecord proposed) throws IOException {
        RunRecord record = null;
        if (Files.exists(file)) {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (String line : lines) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n;
                try {
                    n = EnvelopeCodec.mapper().readTree(line);
                } catch (IOException cutOff) {
                    continue;
                }
                if ("run".equals(n.path("type").asText()) && record == null) {
                    record = RunRecord.fromJson(n);
                } else if ("done".equals(n.path("type").asText())) {
                    done.add(n.path("key").asText());
                }
            }
        }
        Files.createDirectories(file.getParent());
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        if (record == null) {
            record = proposed;
            append(proposed.toJson());
        }
        return record;
    }

    @Override
    public synchronized Set<String> done() {
        return Set.copyOf(done);
    }

    @Override
    public synchronized void markDone(String key, long events) throws IOException {
        ObjectNode n = EnvelopeCodec.mapper().createObjectNode();
        n.put("type", "done");
        n.put("key", key);
        n.put("events", events);
        append(n.toString().getBytes(StandardCharsets.UTF_8));
        done.add(key);
    }

    private void append(byte[] json) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(json.length + 1).put(json).put((byte) '\n').flip();
        while (b.hasRemaining()) {
            channel.write(b);
        }
        // Per object: an object is MBs of events, an fsync is a millisecond.
        channel.force(false);
    }

    @Override
    public synchronized void flush() throws IOException {
        if (channel != null) {
            channel.force(false);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (channel != null) {
            channel.force(false);
            channel.close();
            channel = null;
        }
    }

    @Override
    public String describe() {
        return file.toString();
    }
}
