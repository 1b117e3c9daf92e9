package dev.fanout.reliability.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * What a store holds, by sequence number: how often each seq occurs (duplicates show as counts
 * above one) and, for dead letters, the reason. Write-once objects are read once and cached.
 */
final class SeqIndex {

    private static final ObjectMapper JSON = new ObjectMapper();

    final Map<Long, Integer> counts = new HashMap<>();
    final Map<Long, String> reasons = new HashMap<>();
    private final Map<Path, Boolean> seen = new HashMap<>();
    private int rowsSeen;

    /** Adds every {@code *.ndjson.gz} under {@code root} not read before (gzip NDJSON, one record a line). */
    synchronized SeqIndex scanObjects(Path root, boolean deadLetters) {
        if (!Files.isDirectory(root)) {
            return this;
        }
        List<Path> files;
        try (Stream<Path> s = Files.walk(root)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".ndjson.gz")).filter(p -> !seen.containsKey(p)).toList();
        } catch (IOException | UncheckedIOException e) {
            return this; // a file renamed under the walk (s3proxy's temp files): next scan
        }
        for (Path f : files) {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(f)),
                    StandardCharsets.UTF_8))) {
                Map<Long, Integer> mine = new HashMap<>();
                Map<Long, String> why = new HashMap<>();
                for (String line; (line = r.readLine()) != null;) {
                    long seq = Sender.seqOf(line);
                    if (seq < 0) {
                        continue;
                    }
                    mine.merge(seq, 1, Integer::sum);
                    if (deadLetters) {
                        JsonNode n = JSON.readTree(line);
                        why.put(seq, n.path("sink").asText() + ": " + n.path("reason").asText());
                    }
                }
                mine.forEach((k, v) -> counts.merge(k, v, Integer::sum));
                reasons.putAll(why);
                seen.put(f, true);
            } catch (NoSuchFileException gone) {
                // not there any more
            } catch (IOException notComplete) {
                // a file still being written (the fs store renames into place, s3proxy too): next scan
            }
        }
        return this;
    }

    /** Adds rows (BigQuery fake rows as maps, in append order) from {@code rows} not seen before. */
    synchronized SeqIndex scanRows(List<Map<String, Object>> rows) {
        for (int i = rowsSeen; i < rows.size(); i++) {
            long seq = Sender.seqOf(String.valueOf(rows.get(i)));
            if (seq >= 0) {
                counts.merge(seq, 1, Integer::sum);
            }
        }
        rowsSeen = rows.size();
        return this;
    }

    synchronized int count(long seq) {
        return counts.getOrDefault(seq, 0);
    }

    synchronized String reason(long seq) {
        return reasons.get(seq);
    }
}
