package dev.fanout.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.events.CriblDecoder;
import dev.fanout.events.CriblDecoderOptions;
import java.io.File;
import java.time.Instant;
import java.util.Locale;

/**
 * Turns a JMH JSON result of {@link CodecBenchmark} / {@link PackedBenchmark} (ops/s, one op = one body) into MB/s of Cribl
 * NDJSON and events/s. Usage: {@code java -cp benchmarks.jar dev.fanout.benchmarks.JmhSummary jmh.json}.
 */
public final class JmhSummary {
    private JmhSummary() {}

    public static void main(String[] args) throws Exception {
        byte[] body = CriblBodies.ndjson(CodecBenchmark.BODY_BYTES, 42);
        int events = new CriblDecoder(CriblDecoderOptions.defaults()).decode(body, 0, body.length, Instant.EPOCH).events().size();
        JsonNode results = new ObjectMapper().readTree(new File(args[0]));
        System.out.printf(Locale.ROOT, "body: %,d bytes, %,d events (%d bytes/event); MB = 10^6 bytes of Cribl NDJSON%n",
                body.length, events, body.length / events);
        System.out.printf(Locale.ROOT, "%-18s %5s %7s %12s %10s %12s%n", "benchmark", "gzip", "threads", "ops/s", "MB/s", "events/s");
        for (JsonNode r : results) {
            String name = r.get("benchmark").asText();
            name = name.substring(name.lastIndexOf('.') + 1);
            JsonNode params = r.get("params");
            String level = params != null && params.has("gzipLevel") ? params.get("gzipLevel").asText() : "-";
            double score = r.get("primaryMetric").get("score").asDouble();
            double err = r.get("primaryMetric").get("scoreError").asDouble();
            System.out.printf(Locale.ROOT, "%-18s %5s %7d %7.1f ±%4.0f %10.1f %,12.0f%n", name, level, r.get("threads").asInt(),
                    score, Double.isNaN(err) ? 0 : err, score * body.length / 1e6, score * events);
        }
    }
}
