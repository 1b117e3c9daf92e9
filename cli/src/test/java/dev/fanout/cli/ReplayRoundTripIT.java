package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.events.Envelope;
import dev.fanout.events.EnvelopeCodec;
import dev.fanout.store.FilesystemObjectStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged CLI and two packaged local pipelines: events sent to pipeline A and archived there
 * are replayed by time range with {@code fanout replay --to-url} into pipeline B; B's archive must
 * hold exactly the events of the range, with the same ids and times, and B's analytics table shows
 * the replay marker on every one of them. B archives replays ({@code fanout.archive.skip-replays=false}):
 * it is a second archive filled from A's, not the archive they came from.
 */
class ReplayRoundTripIT {

    static final Instant T0 = Instant.parse("2026-11-23T00:00:00Z");

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Process p : processes) {
            if (p.isAlive()) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void archivedEventsOfTheRangeArriveInASecondPipelineWithTheirIdsAndTimes() throws Exception {
        Path work = Path.of("target", "it-roundtrip", Long.toString(System.nanoTime())).toAbsolutePath();
        Path dataA = Files.createDirectories(work.resolve("a"));
        Path dataB = Files.createDirectories(work.resolve("b"));

        // 1. Pipeline A archives 3,000 events spread over 6 hours of event time.
        int portA = freePort();
        Process a = pipeline(dataA, portA, Map.of());
        StringBuilder ndjson = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            double t = T0.getEpochSecond() + i * 7.2;
            ndjson.append("{\"_time\":").append(t).append(",\"_raw\":\"roundtrip ").append(i)
                    .append("\",\"host\":\"h").append(i % 3).append("\",\"status\":").append(200 + i % 5).append("}\n");
        }
        Path input = work.resolve("events.ndjson");
        Files.writeString(input, ndjson);
        assertThat(cli(Map.of("FANOUT_DATA_DIR", dataA.toString()), "send", "--url", "http://127.0.0.1:" + portA, input.toString()))
                .isZero();
        sigterm(a);
        List<Envelope> archivedA = envelopes(dataA.resolve("archive"));
        assertThat(archivedA).hasSize(3000);

        // 2. Pipeline B accepts replays with its replay token.
        int portB = freePort();
        Process b = pipeline(dataB, portB, Map.of("FANOUT_INGEST_REPLAY_TOKENS", "rt-token",
                "FANOUT_ARCHIVE_SKIP_REPLAYS", "false"));
        Instant from = T0.plusSeconds(3600 + 1234);
        Instant to = T0.plusSeconds(4 * 3600 + 17);
        assertThat(cli(Map.of("FANOUT_REPLAY_TOKEN", "rt-token", "FANOUT_DATA_DIR", dataA.toString()), "replay",
                "--source", dataA.resolve("archive").toString(), "--from", from.toString(), "--to", to.toString(),
                "--to-url", "http://127.0.0.1:" + portB, "--run-id", "roundtrip-1", "--progress", "plain")).isZero();
        sigterm(b);

        Map<String, Instant> expected = archivedA.stream().filter(e -> !e.time().isBefore(from) && e.time().isBefore(to))
                .collect(Collectors.toMap(Envelope::id, Envelope::time));
        Map<String, Instant> got = envelopes(dataB.resolve("archive")).stream()
                .collect(Collectors.toMap(Envelope::id, Envelope::time));
        assertThat(expected).hasSizeGreaterThan(1000);
        assertThat(got).isEqualTo(expected);

        // The replay marker travelled with every event (the sinks see it as the message's replay attribute).
        Map<String, Long> byReplay = new java.util.HashMap<>();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:" + dataB.resolve("analytics.duckdb"));
                java.sql.Statement st = c.createStatement();
                java.sql.ResultSet rs = st.executeQuery(
                        "SELECT coalesce(replay, '<none>'), count(DISTINCT id) FROM events_raw GROUP BY 1")) {
            while (rs.next()) {
                byReplay.put(rs.getString(1), rs.getLong(2));
            }
        }
        assertThat(byReplay).isEqualTo(Map.of("roundtrip-1", (long) expected.size()));

        // Replayed into A itself (the archive they came from), nothing is archived a second time.
        Process a2 = pipeline(dataA, portA, Map.of("FANOUT_INGEST_REPLAY_TOKENS", "rt-token"));
        assertThat(cli(Map.of("FANOUT_REPLAY_TOKEN", "rt-token", "FANOUT_DATA_DIR", dataA.toString()), "replay",
                "--source", dataA.resolve("archive").toString(), "--from", from.toString(), "--to", to.toString(),
                "--to-url", "http://127.0.0.1:" + portA, "--run-id", "roundtrip-2", "--progress", "plain")).isZero();
        sigterm(a2);
        assertThat(envelopes(dataA.resolve("archive"))).hasSize(3000);
    }

    private Process pipeline(Path data, int port, Map<String, String> env) throws Exception {
        String jar = System.getProperty("local-pipeline.jar");
        assertThat(Path.of(jar)).as("packaged local pipeline").isRegularFile();
        ProcessBuilder pb = new ProcessBuilder(java(), "-Xmx512m", "-Dquarkus.profile=local", "-Dquarkus.http.host=127.0.0.1",
                "-jar", jar).redirectErrorStream(true).redirectOutput(data.resolve("app.log").toFile());
        pb.environment().put("PORT", Integer.toString(port));
        pb.environment().put("FANOUT_DATA_DIR", data.toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        processes.add(p);
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline && p.isAlive()) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return p;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("pipeline not ready:\n" + Files.readString(data.resolve("app.log")));
    }

    private int cli(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java(), "-jar", System.getProperty("fanout-cli.jar")));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        processes.add(p);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        if (p.exitValue() != 0) {
            System.err.println(out);
        }
        return p.exitValue();
    }

    private static void sigterm(Process p) throws InterruptedException {
        p.destroy();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }

    private static List<Envelope> envelopes(Path archive) throws Exception {
        FilesystemObjectStore store = new FilesystemObjectStore(archive);
        List<Envelope> out = new ArrayList<>();
        for (String line : TestArchive.lines(store)) {
            out.add(EnvelopeCodec.fromJson(line.getBytes(StandardCharsets.UTF_8)));
        }
        return out;
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
