package dev.fanout.reliability.faults;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cribl's part: NDJSON requests whose events carry unique sequence numbers ({@code seq=N} in
 * {@code _raw}), paced to a rate, not retried (an event is promised only by a 200, so a 503 or a
 * dead connection just means its events are not counted). Every 25th event is an error of one of
 * a few hosts per phase, for the alert sink's groups.
 */
final class Sender {

    static final int EVENTS_PER_REQUEST = 25;
    static final Pattern SEQ = Pattern.compile("seq=(\\d+)");
    private static final AtomicLong NEXT_SEQ = new AtomicLong();

    final Set<Long> accepted = ConcurrentHashMap.newKeySet();
    final AtomicInteger ok = new AtomicInteger();
    final AtomicInteger refused = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    final AtomicLong attempted = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    /**
     * @param quota        events to attempt (then the threads end)
     * @param eventsPerSec paced rate over all threads
     */
    Sender(URI ingest, String token, String phase, long quota, int threadCount, double eventsPerSec) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
        long nanosPerRequest = (long) (1e9 * EVENTS_PER_REQUEST * threadCount / eventsPerSec);
        for (int t = 0; t < threadCount; t++) {
            Thread th = new Thread(() -> {
                long next = System.nanoTime();
                while (running && attempted.addAndGet(EVENTS_PER_REQUEST) <= quota) {
                    long first = NEXT_SEQ.getAndAdd(EVENTS_PER_REQUEST);
                    byte[] body = body(phase, first);
                    try {
                        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(ingest).timeout(Duration.ofSeconds(15))
                                .header("Authorization", "Bearer " + token).header("Content-Type", "application/x-ndjson")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.discarding());
                        if (r.statusCode() == 200) {
                            for (long s = first; s < first + EVENTS_PER_REQUEST; s++) {
                                accepted.add(s);
                            }
                            ok.incrementAndGet();
                        } else {
                            refused.incrementAndGet();
                        }
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        failed.incrementAndGet();
                    }
                    next += nanosPerRequest;
                    long sleep = next - System.nanoTime();
                    if (sleep > 0) {
                        try {
                            Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                        } catch (InterruptedException e) {
                            return;
                        }
                    } else if (sleep < -1_000_000_000L) {
                        next = System.nanoTime(); // no burst to catch up after a stall
                    }
                }
            }, "sender-" + phase + "-" + t);
            th.setDaemon(true);
            threads.add(th);
            th.start();
        }
    }

    static byte[] body(String phase, long first) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(EVENTS_PER_REQUEST * 200);
        long now = System.currentTimeMillis();
        for (long s = first; s < first + EVENTS_PER_REQUEST; s++) {
            boolean error = s % 25 == 0;
            String host = error ? "db-" + phase + "-" + (s / 25 % 3) : "web-" + (s % 7);
            String raw = error ? "connection refused to 10.0.0." + (s % 200) + ":5432 seq=" + s
                    : "GET /api/items/" + (s % 1000) + " 200 seq=" + s + " phase=" + phase;
            String line = "{\"_time\":" + (now / 1000.0) + ",\"_raw\":\"" + raw + "\",\"host\":\"" + host
                    + "\",\"sourcetype\":\"fault-suite\",\"level\":\"" + (error ? "error" : "info") + "\"}\n";
            out.writeBytes(line.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    /** The sequence number in a stored line (an envelope, a row, a dead letter), or -1. */
    static long seqOf(CharSequence text) {
        Matcher m = SEQ.matcher(text);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    boolean done() {
        return threads.stream().noneMatch(Thread::isAlive);
    }

    void awaitDone(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread t : threads) {
            t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
        stop();
    }

    void stop() throws InterruptedException {
        running = false;
        for (Thread t : threads) {
            t.interrupt();
            t.join(20_000);
        }
    }
}
