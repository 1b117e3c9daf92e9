package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.fanout.events.Envelope;
import dev.fanout.events.EnvelopeCodec;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fanout query}, {@code fanout dead-letters}, {@code fanout send}. */
class ToolsTests {

    static final Instant T0 = Instant.parse("2026-11-23T00:00:00Z");

    @TempDir
    Path tmp;

    @Test
    void querySeesTheArchiveWithHivePartitionsAndTypedColumns() throws Exception {
        Path archive = tmp.resolve("archive");
        List<Envelope> all = TestArchive.events(0, 600, T0, 3);
        TestArchive.dir(archive, all, 100);
        Map<String, String> env = CliRun.env("FANOUT_DATA_DIR", tmp.toString());

        // Default source: $FANOUT_DATA_DIR/archive, as ./run-local writes it.
        CliRun r = CliRun.run(env, "query", "--format", "csv",
                "SELECT hr, count(*) AS n, count(DISTINCT id) AS ids, min(time) < max(time) AS typed, "
                        + "sum(CASE WHEN fields->>'status' = '500' THEN 1 ELSE 0 END) AS errors FROM events GROUP BY hr ORDER BY hr");
        assertThat(r.exit()).as(r.toString()).isZero();
        List<String> expected = new ArrayList<>(List.of("hr,n,ids,typed,errors"));
        for (int h = 0; h < 3; h++) {
            Instant s = T0.plusSeconds(3600L * h);
            List<Envelope> in = all.stream().filter(e -> !e.time().isBefore(s) && e.time().isBefore(s.plusSeconds(3600))).toList();
            long errors = in.stream().filter(e -> e.fields().get("status").asInt() == 500).count();
            expected.add(String.format("%02d,%d,%d,true,%d", h, in.size(), in.size(), errors));
        }
        assertThat(r.outLines()).containsExactlyElementsOf(expected);

        CliRun table = CliRun.run(env, "query", "SELECT count(*) AS n FROM events WHERE dt = '2026-11-23'");
        assertThat(table.outLines()).contains("600").anyMatch(l -> l.startsWith("n")).contains("(1 row)");

        CliRun bad = CliRun.run(env, "query", "SELEC nonsense");
        assertThat(bad.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(bad.stderr()).contains("syntax error");
    }

    @Test
    void queryOnAnEmptyArchiveAndOnADuckDbFile() throws Exception {
        Files.createDirectories(tmp.resolve("archive"));
        Map<String, String> env = CliRun.env("FANOUT_DATA_DIR", tmp.toString());
        CliRun empty = CliRun.run(env, "query", "--format", "csv", "SELECT count(*) AS n FROM events");
        assertThat(empty.exit()).as(empty.toString()).isZero();
        assertThat(empty.outLines()).containsExactly("n", "0");

        Path db = tmp.resolve("analytics.duckdb");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE events (id VARCHAR, severity VARCHAR)");
            s.execute("INSERT INTO events VALUES ('a', 'error'), ('b', 'info')");
        }
        CliRun q = CliRun.run(env, "query", "--db", "--format", "json", "SELECT id FROM events WHERE severity = 'error'");
        assertThat(q.exit()).as(q.toString()).isZero();
        assertThat(q.outLines()).containsExactly("{\"id\":\"a\"}");
        CliRun write = CliRun.run(env, "query", "--db", "DELETE FROM events");
        assertThat(write.exit()).as("the file is opened read-only").isNotZero();
    }

    @Test
    void deadLettersListShowAndRedrive() throws Exception {
        Path root = tmp.resolve("archive");
        List<Envelope> events = TestArchive.events(0, 3, T0, 1);
        String k1 = "dead-letter/sink=archive/dt=2026-11-23/hr=00/" + "a".repeat(32) + ".ndjson.gz";
        String k2 = "dead-letter/sink=bigquery/dt=2026-11-23/hr=05/" + "b".repeat(32) + ".ndjson.gz";
        write(root.resolve(k1), letter("archive", events.get(0), null), letter("archive", events.get(1), null),
                letter("archive", null, "undecodable bytes".getBytes(StandardCharsets.UTF_8)));
        write(root.resolve(k2), letter("bigquery", events.get(2), null));
        Files.createDirectories(root.resolve("events"));
        Map<String, String> env = CliRun.env("FANOUT_DATA_DIR", tmp.toString());

        CliRun list = CliRun.run(env, "dead-letters", "list");
        assertThat(list.exit()).as(list.toString()).isZero();
        assertThat(list.outLines()).anyMatch(l -> l.matches("archive\\s+dt=2026-11-23/hr=00\\s+1\\s+2\\s+1"))
                .anyMatch(l -> l.matches("bigquery\\s+dt=2026-11-23/hr=05\\s+1\\s+1\\s+0"));

        CliRun show = CliRun.run(env, "dead-letters", "show", "--sink", "bigquery");
        assertThat(show.exit()).isZero();
        assertThat(show.outLines()).hasSize(1);
        JsonNode shown = EnvelopeCodec.mapper().readTree(show.outLines().get(0));
        assertThat(shown.path("reason").asText()).isEqualTo("rejected by bigquery");
        assertThat(EnvelopeCodec.fromJson(shown.get("event"))).isEqualTo(events.get(2));

        CliRun hours = CliRun.run(env, "dead-letters", "show", "--from", "2026-11-23T04:00:00Z");
        assertThat(hours.outLines()).hasSize(1);

        // To stdout: the two events; the undecodable message cannot go there, so the run is incomplete.
        CliRun redrive = CliRun.run(env, "dead-letters", "redrive", "--sink", "archive", "--to-stdout");
        assertThat(redrive.exit()).as(redrive.toString()).isEqualTo(ExitCodes.INCOMPLETE);
        assertThat(redrive.envelopes()).containsExactly(events.get(0), events.get(1));
        assertThat(redrive.stderr()).contains("only be redriven to a topic").contains("1 not sent");

        try (FakeBridge bridge = new FakeBridge()) {
            CliRun url = CliRun.run(CliRun.with(env, "FANOUT_REPLAY_TOKEN", bridge.replayToken), "dead-letters", "redrive",
                    "--sink", "bigquery", "--to-url", bridge.url().toString(), "--run-id", "redrive-1");
            assertThat(url.exit()).as(url.toString()).isZero();
            assertThat(bridge.accepted).containsExactly(events.get(2));
            assertThat(bridge.replayHeaders).containsExactly("redrive-1");
        }
    }

    private static ObjectNode letter(String sink, Envelope e, byte[] data) {
        ObjectNode n = EnvelopeCodec.mapper().createObjectNode();
        n.put("dead_lettered_at", "2026-11-23T00:10:00Z");
        n.put("sink", sink);
        n.put("kind", e != null ? "event" : "message");
        n.put("reason", "rejected by " + sink);
        n.put("message_id", "m-1");
        n.put("publish_time", "2026-11-23T00:00:01Z");
        n.put("delivery_attempt", 5);
        n.putObject("attributes").put("schema", "1");
        if (e != null) {
            try {
                n.set("event", EnvelopeCodec.mapper().readTree(EnvelopeCodec.toJson(e)));
            } catch (java.io.IOException ex) {
                throw new java.io.UncheckedIOException(ex);
            }
        } else {
            n.put("data_base64", Base64.getEncoder().encodeToString(data));
        }
        return n;
    }

    private static void write(Path file, ObjectNode... lines) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (ObjectNode l : lines) {
            sb.append(l).append('\n');
        }
        Files.createDirectories(file.getParent());
        Files.write(file, ReplayLocalTests.gzip(sb.toString()));
    }

    @Test
    void sendPostsNdjsonInBoundedBodiesWithTheTokenUncompressedToLoopbackUnlessAsked() throws Exception {
        List<byte[]> bodies = new CopyOnWriteArrayList<>();
        List<String> auth = new CopyOnWriteArrayList<>();
        List<String> codings = new CopyOnWriteArrayList<>();
        AtomicInteger fails = new AtomicInteger(2);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/events", x -> {
            try (x) {
                if (fails.getAndDecrement() > 0) {
                    x.getResponseHeaders().add("Retry-After", "0");
                    x.sendResponseHeaders(503, -1);
                    return;
                }
                String coding = x.getRequestHeaders().getFirst("Content-Encoding");
                codings.add(coding == null ? "identity" : coding);
                byte[] b = x.getRequestBody().readAllBytes();
                if ("gzip".equals(coding)) {
                    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(b))) {
                        b = in.readAllBytes();
                    }
                }
                bodies.add(b);
                auth.add(x.getRequestHeaders().getFirst("Authorization"));
                long lines = new String(b, StandardCharsets.UTF_8).lines().count();
                byte[] resp = ("{\"accepted\":" + lines + ",\"malformed\":0,\"request_id\":\"x\"}").getBytes();
                x.sendResponseHeaders(200, resp.length);
                x.getResponseBody().write(resp);
            }
        });
        server.start();
        try {
            Path in = tmp.resolve("events.ndjson");
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 500; i++) {
                sb.append("{\"_time\":1732371234.5,\"_raw\":\"line ").append(i).append(" ").append("x".repeat(80)).append("\"}\n");
            }
            Files.writeString(in, sb);
            Files.writeString(tmp.resolve("ingest-token"), "local-token\n");
            CliRun r = CliRun.run(CliRun.env("FANOUT_DATA_DIR", tmp.toString()), "send", "--url",
                    "http://127.0.0.1:" + server.getAddress().getPort(), "--max-body-bytes", "8192", in.toString());
            assertThat(r.exit()).as(r.toString()).isZero();
            assertThat(bodies).hasSizeGreaterThan(5).allMatch(b -> b.length <= 8192);
            String joined = String.join("", bodies.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList());
            assertThat(joined).isEqualTo(sb.toString());
            assertThat(auth).containsOnly("Bearer local-token");
            assertThat(r.stderr()).contains("500 accepted").doesNotContain("local-token");
            assertThat(codings).containsOnly("identity");

            bodies.clear();
            codings.clear();
            CliRun gz = CliRun.run(CliRun.env("FANOUT_DATA_DIR", tmp.toString()), "send", "--url",
                    "http://127.0.0.1:" + server.getAddress().getPort(), "--max-body-bytes", "8192", "--compress", "gzip",
                    in.toString());
            assertThat(gz.exit()).as(gz.toString()).isZero();
            assertThat(codings).isNotEmpty().containsOnly("gzip");
            assertThat(String.join("", bodies.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList()))
                    .isEqualTo(sb.toString());
        } finally {
            server.stop(0);
        }
    }
}
