import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.BitSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Memory load of the ingest bridge (bench/bridge-memory.sh runs it; JDK only, `java BridgeMemory.java`):
 * SENDERS threads each POST ROUNDS bodies of ~BODY_BYTES NDJSON (plain, or gzip inflating to that),
 * every event with a unique sequence number; a 503 is retried with the same body after its
 * Retry-After (as Cribl does), anything else but 200 counts as an error. Meanwhile it receives the
 * Pub/Sub fake's pushes of the topic, decodes every packed message and records each sequence number.
 * At the end: status counts, events sent, unique and duplicate sequence numbers received.
 *
 * Args: bridgeUrl token pushPort plain|gzip senders rounds bodyBytes
 */
public class BridgeMemory {

    static final Pattern SEQ = Pattern.compile("\"raw\":\"seq-(\\d+) ");
    static final Pattern DATA = Pattern.compile("\"data\":\"([A-Za-z0-9+/=]*)\"");

    public static void main(String[] a) throws Exception {
        URI bridge = URI.create(a[0]);
        String token = a[1];
        int pushPort = Integer.parseInt(a[2]);
        boolean gzip = a[3].equals("gzip");
        int senders = Integer.parseInt(a[4]);
        int rounds = Integer.parseInt(a[5]);
        int bodyBytes = Integer.parseInt(a[6]);

        BitSet seen = new BitSet();
        AtomicLong duplicates = new AtomicLong();
        AtomicLong pushed = new AtomicLong();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", pushPort), 64);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/push", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            try {
                count(new String(body, StandardCharsets.US_ASCII), seen, duplicates);
                pushed.incrementAndGet();
                ex.sendResponseHeaders(204, -1);
            } catch (Exception e) {
                ex.sendResponseHeaders(500, -1);
            }
            ex.close();
        });
        server.start();

        int perBody = eventsPerBody(bodyBytes);
        long expected = (long) senders * rounds * perBody;
        Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
        AtomicLong errors = new AtomicLong();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        long t0 = System.nanoTime();
        Thread[] threads = new Thread[senders];
        for (int s = 0; s < senders; s++) {
            int sender = s;
            threads[s] = new Thread(() -> {
                for (int r = 0; r < rounds; r++) {
                    long first = ((long) sender * rounds + r) * perBody;
                    byte[] plain = body(first, perBody);
                    byte[] wire = gzip ? gzip(plain) : plain;
                    for (int attempt = 0; ; attempt++) {
                        int status;
                        String retryAfter = null;
                        try {
                            HttpRequest.Builder req = HttpRequest.newBuilder(bridge.resolve("/v1/events"))
                                    .timeout(Duration.ofSeconds(60))
                                    .header("Authorization", "Bearer " + token)
                                    .header("Content-Type", "application/x-ndjson")
                                    .POST(HttpRequest.BodyPublishers.ofByteArray(wire));
                            if (gzip) {
                                req.header("Content-Encoding", "gzip");
                            }
                            HttpResponse<String> resp = client.send(req.build(), HttpResponse.BodyHandlers.ofString());
                            status = resp.statusCode();
                            retryAfter = resp.headers().firstValue("Retry-After").orElse(null);
                        } catch (IOException e) {
                            status = -1; // connection failure: Cribl retries these too
                        } catch (InterruptedException e) {
                            return;
                        }
                        statuses.computeIfAbsent(status, k -> new AtomicLong()).incrementAndGet();
                        if (status == 200) {
                            break;
                        }
                        if (status != 503 && status != -1) {
                            errors.incrementAndGet();
                            break;
                        }
                        sleep(retryAfter == null ? 1000 : Math.min(1000, Long.parseLong(retryAfter) * 1000));
                    }
                }
            });
            threads[s].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        double sendSeconds = (System.nanoTime() - t0) / 1e9;
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (System.nanoTime() < deadline) {
            synchronized (seen) {
                if (seen.cardinality() >= expected) {
                    break;
                }
            }
            sleep(500);
        }
        server.stop(0);
        long unique;
        synchronized (seen) {
            unique = seen.cardinality();
        }
        StringBuilder st = new StringBuilder();
        statuses.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> st.append(e.getKey() == -1 ? "conn-error" : e.getKey()).append(':').append(e.getValue()).append(' '));
        System.out.printf("mode=%s senders=%d rounds=%d body=%d B (%s) events/body=%d%n", a[3], senders, rounds,
                bodyBytes, gzip ? "gzip " + gzip(body(0, perBody)).length + " B on the wire" : "plain", perBody);
        System.out.printf("statuses %s| errors %d | sent %d events | received unique %d, duplicates %d, lost %d | "
                + "pushes %d | send phase %.1f s%n", st, errors.get(), expected, unique, duplicates.get(),
                expected - unique, pushed.get(), sendSeconds);
        System.exit(errors.get() == 0 && unique == expected ? 0 : 1);
    }

    static void count(String pushBody, BitSet seen, AtomicLong duplicates) throws IOException {
        Matcher m = DATA.matcher(pushBody);
        if (!m.find()) {
            throw new IOException("no data");
        }
        byte[] data = Base64.getDecoder().decode(m.group(1));
        String ndjson;
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(data))) {
            ndjson = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Matcher s = SEQ.matcher(ndjson);
        synchronized (seen) {
            while (s.find()) {
                int n = Integer.parseInt(s.group(1));
                if (seen.get(n)) {
                    duplicates.incrementAndGet();
                }
                seen.set(n);
            }
        }
    }

    /** ~500-byte Cribl-like events; the sequence number leads the raw line. */
    static String event(long seq) {
        return "{\"_time\":1732371234.567,\"_raw\":\"seq-" + seq + " 10.1.2.3 - - [23/Nov/2026:19:00:00 +0000] \\\"GET /api/v1/items/"
                + (seq * 7919 % 100000) + "?page=3 HTTP/1.1\\\" 200 " + (seq % 50000) + " \\\"-\\\" \\\"Mozilla/5.0 (X11; Linux x86_64)"
                + " AppleWebKit/537.36 Chrome/131.0\\\" rt=0.0" + (seq % 97) + "\",\"host\":\"web-" + (seq % 40)
                + "\",\"source\":\"/var/log/nginx/access.log\",\"sourcetype\":\"nginx:access\",\"index\":\"main\","
                + "\"level\":\"info\",\"cribl_pipe\":\"main\",\"status\":200,\"bytes\":" + (seq % 50000) + "}\n";
    }

    static int eventsPerBody(int bodyBytes) {
        int longest = 0;
        for (long seq = 9_999_000L; seq < 10_000_000L; seq++) {
            longest = Math.max(longest, event(seq).length());
        }
        return bodyBytes / longest;
    }

    static byte[] body(long first, int n) {
        StringBuilder sb = new StringBuilder(n * 520);
        for (int i = 0; i < n; i++) {
            sb.append(event(first + i));
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    static byte[] gzip(byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length / 4);
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 65536)) {
            gz.write(b);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
