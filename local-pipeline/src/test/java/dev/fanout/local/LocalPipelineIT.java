package dev.fanout.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.events.EnvelopeCodec;
import dev.fanout.events.Envelope;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * End to end on the packaged app, run as its own process the way {@code ./run-local} runs it:
 * Cribl batches in every format over HTTP, then SIGTERM long before any batch is due, then every
 * accepted event must be in the archive files exactly once.
 */
class LocalPipelineIT {

    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(60);

    private Path dataDir;
    private PipelineProcess app;
    private HttpClient http;
    private URI ingest;
    private String token;

    /** Every event this test sent, by its {@code _raw} (unique per event). */
    private final Set<String> sentRaws = new HashSet<>();
    /** Ids the bridge must have given the well-formed events (derived from each decompressed body). */
    private final Set<String> expectedIds = new HashSet<>();
    private final AtomicInteger accepted = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        String jar = System.getProperty("local-pipeline.jar", "target/quarkus-app/quarkus-run.jar");
        assertThat(Path.of(jar)).as("packaged app (run `package` first)").isRegularFile();
        dataDir = Path.of("target", "it-data", UUID.randomUUID().toString()).toAbsolutePath();
        app = new PipelineProcess(dataDir, List.of(
                // No batch may become due by age before the SIGTERM: the archive must be written by
                // the shutdown flush, which is what this test is about; the local ack deadline must
                // cover that age plus the retry budget and a write (the runtime refuses it otherwise).
                "fanout.consumer.sinks.\"archive\".max-age=60s", "fanout.consumer.local.ack-deadline=5m",
                // Cribl's Custom format with a batch expression of {"items":[${events}]}.
                "fanout.ingest.wrapper-pointer=/items"), Map.of()).start().awaitReady();
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        ingest = app.ingest();
        token = app.token();
    }

    @AfterEach
    void stop() throws Exception {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void everyAcceptedEventIsArchivedExactlyOnceAfterSigterm() throws Exception {
        // NDJSON, plain and gzip (with and without Content-Encoding), JSON arrays, the Custom wrapper,
        // a malformed line, PUT, and a batch big enough to be packed into several bus messages.
        sendNdjson("plain", 200, Encoding.PLAIN, "POST");
        sendNdjson("gzip", 300, Encoding.GZIP, "POST");
        sendNdjson("sniffed", 40, Encoding.GZIP_WITHOUT_HEADER, "POST");
        sendNdjson("put", 25, Encoding.PLAIN, "PUT");
        sendNdjson("big", 12_000, Encoding.GZIP, "POST");
        sendArray("array", 60, Encoding.PLAIN);
        sendArray("array-gz", 70, Encoding.GZIP);
        sendWrapped("custom", 30);
        sendWithMalformedLine("mixed", 20);
        // Cribl sends up to 5 requests at once per worker.
        ExecutorService pool = Executors.newFixedThreadPool(5);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                int n = i;
                fs.add(pool.submit(() -> {
                    sendNdjson("concurrent-" + n, 500, n % 2 == 0 ? Encoding.GZIP : Encoding.PLAIN, "POST");
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        int total = accepted.get();
        assertThat(total).isEqualTo(sentRaws.size());

        Path archive = dataDir.resolve("archive");
        assertThat(ArchiveFiles.objects(archive)).as("nothing is due before the shutdown flush").isEmpty();

        int exit = app.sigterm(EXIT_TIMEOUT);
        String output = app.runLog();
        // The JVM reports death by SIGTERM as 143 unless the shutdown hooks choose a status.
        assertThat(exit).as("exit status; log:%n%s", output).isIn(0, 143);
        assertThat(output).contains("ingest closed").contains("sink archive: flushed")
                .doesNotContain("lost with this process").doesNotContain("flush incomplete");

        List<Envelope> archived = ArchiveFiles.envelopes(archive);
        assertThat(archived).hasSize(total);
        List<String> ids = archived.stream().map(Envelope::id).toList();
        assertThat(ids).doesNotHaveDuplicates();
        assertThat(ids).containsAll(expectedIds);
        Map<String, Integer> rawCounts = new HashMap<>();
        archived.forEach(e -> rawCounts.merge(e.raw(), 1, Integer::sum));
        for (String raw : sentRaws) {
            assertThat(rawCounts.get(raw)).as("copies of %s in the archive", raw).isEqualTo(1);
        }
        assertThat(rawCounts.keySet()).containsExactlyInAnyOrderElementsOf(sentRaws);
    }

    // ------------------------------------------------------------------ senders

    private enum Encoding { PLAIN, GZIP, GZIP_WITHOUT_HEADER }

    private void sendNdjson(String prefix, int n, Encoding enc, String method) throws Exception {
        List<String> raws = CriblBodies.raws(prefix, n);
        byte[] body = CriblBodies.ndjson(raws);
        send(body, enc, method, n, 0);
        record(raws, body);
    }

    private void sendArray(String prefix, int n, Encoding enc) throws Exception {
        List<String> raws = CriblBodies.raws(prefix, n);
        byte[] body = CriblBodies.jsonArray(raws);
        send(body, enc, "POST", n, 0);
        record(raws, body);
    }

    private void sendWrapped(String prefix, int n) throws Exception {
        List<String> raws = CriblBodies.raws(prefix, n);
        StringBuilder sb = new StringBuilder("{\"items\":[");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ",").append(CriblBodies.event(raws.get(i), "error"));
        }
        byte[] body = sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        send(body, Encoding.GZIP, "POST", n, 0);
        record(raws, body);
    }

    private void sendWithMalformedLine(String prefix, int n) throws Exception {
        List<String> raws = CriblBodies.raws(prefix, n);
        String bad = "{\"_time\":1732371234.567,\"_raw\":\"" + prefix + "-truncated";
        byte[] body = (new String(CriblBodies.ndjson(raws), StandardCharsets.UTF_8) + bad + "\n")
                .getBytes(StandardCharsets.UTF_8);
        send(body, Encoding.PLAIN, "POST", n + 1, 1);
        synchronized (this) {
            sentRaws.addAll(raws);
            // A malformed line is archived whole, as its own raw.
            sentRaws.add(bad);
        }
    }

    private synchronized void record(List<String> raws, byte[] decompressedBody) {
        sentRaws.addAll(raws);
        expectedIds.addAll(CriblBodies.expectedIds(decompressedBody, raws.size()));
    }

    private void send(byte[] body, Encoding enc, String method, int expectAccepted, int expectMalformed)
            throws Exception {
        byte[] wire = enc == Encoding.PLAIN ? body : CriblBodies.gzip(body);
        HttpRequest.Builder b = HttpRequest.newBuilder(ingest).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/x-ndjson")
                .method(method, HttpRequest.BodyPublishers.ofByteArray(wire));
        if (enc == Encoding.GZIP) {
            b.header("Content-Encoding", "gzip");
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("status of %s: %s", method, r.body()).isEqualTo(200);
        JsonNode json = EnvelopeCodec.mapper().readTree(r.body());
        assertThat(json.path("accepted").asInt()).isEqualTo(expectAccepted);
        assertThat(json.path("malformed").asInt()).isEqualTo(expectMalformed);
        accepted.addAndGet(json.path("accepted").asInt());
    }

    // ------------------------------------------------------------------ process plumbing
}
