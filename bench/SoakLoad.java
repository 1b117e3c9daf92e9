import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The soak's sender (bench/soak.sh): paced POST /v1/events of 10-event NDJSON requests, every
 * event with a unique sequence number (so ids never repeat and nothing is deduplicated away), one
 * error event in ten for the alert sink. Open-loop pacing per thread; no retries.
 * Prints one "load ..." line per minute and a final "RESULT ..." line.
 *
 *   java bench/SoakLoad.java URL TOKEN EVENTS_PER_SECOND SECONDS [THREADS]
 */
public class SoakLoad {
    public static void main(String[] a) throws Exception {
        URI url = URI.create(a[0]);
        String token = a[1];
        double rate = Double.parseDouble(a[2]);
        long seconds = Long.parseLong(a[3]);
        int threads = a.length > 4 ? Integer.parseInt(a[4]) : 4;
        int perRequest = 10;
        AtomicLong seq = new AtomicLong(), ok = new AtomicLong(), refused = new AtomicLong(), failed = new AtomicLong();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long gap = (long) (1e9 * perRequest * threads / rate);
        Thread[] ts = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            ts[t] = new Thread(() -> {
                long next = System.nanoTime();
                while (System.nanoTime() < end) {
                    long first = seq.getAndAdd(perRequest);
                    StringBuilder b = new StringBuilder();
                    double now = System.currentTimeMillis() / 1000.0;
                    for (long s = first; s < first + perRequest; s++) {
                        boolean err = s % 10 == 0;
                        b.append("{\"_time\":").append(now).append(",\"_raw\":\"")
                         .append(err ? "connection refused to 10.0.0." + (s % 250) + ":5432 seq=" + s
                                     : "GET /api/v1/items/" + (s % 10000) + " HTTP/1.1 200 rt=0.012 seq=" + s)
                         .append("\",\"host\":\"").append(err ? "db-" + (s / 10 % 5) : "web-" + (s % 40))
                         .append("\",\"sourcetype\":\"soak\",\"level\":\"").append(err ? "error" : "info").append("\"}\n");
                    }
                    try {
                        int st = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(30))
                                .header("Authorization", "Bearer " + token).header("Content-Type", "application/x-ndjson")
                                .POST(HttpRequest.BodyPublishers.ofString(b.toString(), StandardCharsets.UTF_8)).build(),
                                HttpResponse.BodyHandlers.discarding()).statusCode();
                        (st == 200 ? ok : refused).incrementAndGet();
                    } catch (Exception e) {
                        failed.incrementAndGet();
                    }
                    next += gap;
                    long sleep = next - System.nanoTime();
                    if (sleep > 0) {
                        try { Thread.sleep(sleep / 1_000_000); } catch (InterruptedException e) { return; }
                    } else if (sleep < -1_000_000_000L) {
                        next = System.nanoTime();
                    }
                }
            });
            ts[t].start();
        }
        long start = System.nanoTime();
        while (System.nanoTime() < end) {
            Thread.sleep(Math.min(60_000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
            System.out.printf("load t=%ds ok=%d refused=%d failed=%d events_accepted=%d%n",
                    (System.nanoTime() - start) / 1_000_000_000L, ok.get(), refused.get(), failed.get(), ok.get() * perRequest);
        }
        for (Thread t : ts) t.join();
        System.out.printf("RESULT ok=%d refused=%d failed=%d events_accepted=%d seconds=%d%n",
                ok.get(), refused.get(), failed.get(), ok.get() * perRequest, seconds);
    }
}
