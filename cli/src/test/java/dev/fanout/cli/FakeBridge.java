package dev.fanout.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.fanout.events.Envelope;
import dev.fanout.events.EnvelopeCodec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;

/**
 * The bridge's replay endpoint as the ingest helper specified it ({@code POST /v1/envelopes}), on a
 * loopback port, with fault injection. Records every envelope it accepted, so tests count unique ids.
 */
public final class FakeBridge implements AutoCloseable {

    public final String replayToken = "replay-secret";
    public final String ingestToken = "ingest-secret";
    public final List<Envelope> accepted = new CopyOnWriteArrayList<>();
    public final List<String> replayHeaders = new CopyOnWriteArrayList<>();
    /** Content-Encoding of every request that reached the body ("identity" when absent). */
    public final List<String> encodings = new CopyOnWriteArrayList<>();
    public final AtomicInteger requests = new AtomicInteger();
    public final AtomicInteger refused503 = new AtomicInteger();
    public final Set<String> rejectIds = ConcurrentHashMap.newKeySet();
    public volatile int fail503 = 0;
    public volatile int maxBodyBytes = Integer.MAX_VALUE;
    public volatile int largestBody = 0;
    /** When set, every request fails with this status (e.g. 503 for an outage). */
    public volatile int failAll = 0;

    private final HttpServer server;

    public FakeBridge() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/envelopes", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.start();
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public List<String> acceptedIds() {
        return accepted.stream().map(Envelope::id).toList();
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            requests.incrementAndGet();
            String auth = x.getRequestHeaders().getFirst("Authorization");
            if (auth == null || !auth.startsWith("Bearer ")) {
                answer(x, 401, "{\"error\":\"unauthorized\",\"message\":\"missing token\"}");
                return;
            }
            String token = auth.substring(7);
            if (token.equals(ingestToken)) {
                answer(x, 403, "{\"error\":\"replay_token_required\",\"message\":\"an ingest token cannot choose ids\"}");
                return;
            }
            if (!token.equals(replayToken)) {
                answer(x, 401, "{\"error\":\"unauthorized\",\"message\":\"bad token\"}");
                return;
            }
            String run = x.getRequestHeaders().getFirst("Fanout-Replay");
            if (run == null || !run.matches("[A-Za-z0-9._:-]{1,64}")) {
                answer(x, 400, "{\"error\":\"replay_header_required\"}");
                return;
            }
            if (failAll != 0) {
                x.getResponseHeaders().add("Retry-After", "0");
                answer(x, failAll, "{\"error\":\"unavailable\"}");
                return;
            }
            if (fail503 > 0) {
                synchronized (this) {
                    if (fail503 > 0) {
                        fail503--;
                        refused503.incrementAndGet();
                        x.getResponseHeaders().add("Retry-After", "0");
                        answer(x, 503, "{\"error\":\"unavailable\",\"message\":\"bus busy\"}");
                        return;
                    }
                }
            }
            byte[] body = x.getRequestBody().readAllBytes();
            String coding = x.getRequestHeaders().getFirst("Content-Encoding");
            encodings.add(coding == null ? "identity" : coding);
            if ("gzip".equalsIgnoreCase(coding)) {
                try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
                    body = in.readAllBytes();
                }
            }
            if (body.length > maxBodyBytes) {
                answer(x, 413, "{\"error\":\"body_too_large\"}");
                return;
            }
            synchronized (this) {
                largestBody = Math.max(largestBody, body.length);
            }
            String[] lines = new String(body, StandardCharsets.UTF_8).split("\n");
            List<Envelope> ok = new ArrayList<>();
            List<Integer> bad = new ArrayList<>();
            for (int i = 0; i < lines.length; i++) {
                if (lines[i].isBlank()) {
                    continue;
                }
                try {
                    Envelope e = EnvelopeCodec.fromJson(lines[i].getBytes(StandardCharsets.UTF_8));
                    if (rejectIds.contains(e.id())) {
                        bad.add(i + 1);
                    } else {
                        ok.add(e);
                    }
                } catch (IOException | RuntimeException e) {
                    bad.add(i + 1);
                }
            }
            if (ok.isEmpty()) {
                answer(x, 400, "{\"error\":\"no_valid_envelopes\",\"accepted\":0,\"rejected\":" + bad.size() + "}");
                return;
            }
            accepted.addAll(ok);
            replayHeaders.add(run);
            answer(x, 200, "{\"accepted\":" + ok.size() + ",\"rejected\":" + bad.size() + ",\"rejected_lines\":" + bad
                    + ",\"request_id\":\"r" + requests.get() + "\"}");
        }
    }

    private static void answer(HttpExchange x, int status, String json) throws IOException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", "application/json");
        x.sendResponseHeaders(status, b.length);
        x.getResponseBody().write(b);
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
