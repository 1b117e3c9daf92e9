package dev.fanout.local;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Senders of 10-event NDJSON requests, each event with a unique sequence number; remembers the ids
 * of every event whose request was answered 200 (what the pipeline promised to keep). Other
 * answers (503, connection refused after a kill) are counted, not retried: their events were
 * never promised.
 */
final class Load implements AutoCloseable {

    static final int EVENTS_PER_REQUEST = 10;
    private static final AtomicLong SEQ = new AtomicLong();

    final Set<String> acceptedIds = ConcurrentHashMap.newKeySet();
    final AtomicInteger ok = new AtomicInteger();
    final AtomicInteger refused = new AtomicInteger();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    Load(URI ingest, String token, int senders, String prefix) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        for (int t = 0; t < senders; t++) {
            Thread th = new Thread(() -> {
                while (running) {
                    List<String> raws = new ArrayList<>(EVENTS_PER_REQUEST);
                    for (int i = 0; i < EVENTS_PER_REQUEST; i++) {
                        raws.add(prefix + "-" + SEQ.incrementAndGet());
                    }
                    byte[] body = CriblBodies.ndjson(raws);
                    try {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(ingest).timeout(Duration.ofSeconds(30))
                                .header("Authorization", "Bearer " + token).header("Content-Type", "application/x-ndjson")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() == 200) {
                            acceptedIds.addAll(CriblBodies.expectedIds(body, EVENTS_PER_REQUEST));
                            ok.incrementAndGet();
                        } else {
                            refused.incrementAndGet();
                        }
                    } catch (Exception e) {
                        refused.incrementAndGet();
                        if (e instanceof InterruptedException) {
                            return;
                        }
                    }
                }
            }, "load-" + prefix + "-" + t);
            th.setDaemon(true);
            threads.add(th);
            th.start();
        }
    }

    /** Stops the senders and waits for the requests in flight to be answered. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread t : threads) {
            t.join(60_000);
        }
    }
}
