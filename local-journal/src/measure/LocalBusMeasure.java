import dev.fanout.consumer.LocalBus;
import dev.fanout.events.BusMessage;
import dev.fanout.events.port.EventPublisher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The in-memory LocalBus (consumer-runtime) under the same load as DurableLocalBusMeasure: publishers
 * publish and wait, one subscription acks every delivery at once. LocalBus answers at once and pushes
 * back with BackpressureException past its 64 MiB bound; a refused publish is retried after 1 ms
 * (counted). Run by local-journal/bench/compare-localbus.sh (a single-file source program, so that
 * local-journal needs no dependency on consumer-runtime).
 */
public class LocalBusMeasure {
    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 6;
        System.out.println("| bus | message | publishers | messages/s | MB/s | events/s | refused publishes |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (int size : new int[] {1 << 20, 5 * 1024}) {
            for (int publishers : new int[] {1, 8}) {
                LocalBus bus = new LocalBus(new LocalBus.Options(64L << 20, 1000, Duration.ofSeconds(120),
                        Duration.ofMillis(100), Duration.ofSeconds(10), 2));
                bus.subscribe("archive", d -> d.ack());
                run(bus, size, publishers, 1.0, new AtomicLong());
                AtomicLong refused = new AtomicLong();
                long t0 = System.nanoTime();
                long n = run(bus, size, publishers, seconds, refused);
                double s = (System.nanoTime() - t0) / 1e9;
                int events = size > 100_000 ? 2_000 : 10;
                System.out.printf("| LocalBus (memory) | %s | %d | %,.0f | %,.1f | %,.0f | %,d |%n", size > 100_000 ? "1 MiB" : "5 KiB",
                        publishers, n / s, n * (double) size / s / 1e6, n * (double) events / s, refused.get());
                bus.awaitAllAcked(Duration.ofSeconds(30));
                bus.close();
            }
        }
    }

    static long run(LocalBus bus, int size, int publishers, double seconds, AtomicLong refused) throws InterruptedException {
        AtomicLong count = new AtomicLong();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        List<Thread> ts = new ArrayList<>();
        for (int p = 0; p < publishers; p++) {
            Thread t = new Thread(() -> {
                byte[] data = new byte[size];
                new Random().nextBytes(data);
                BusMessage m = new BusMessage(data, Map.of("fanout_packing", "gzip-ndjson", "fanout_events", "10"), 10, null);
                while (System.nanoTime() < end) {
                    try {
                        bus.publish(m).get();
                        count.incrementAndGet();
                    } catch (ExecutionException e) {
                        if (!(e.getCause() instanceof EventPublisher.BackpressureException)) {
                            throw new IllegalStateException(e);
                        }
                        refused.incrementAndGet();
                        try {
                            Thread.sleep(1);
                        } catch (InterruptedException ie) {
                            return;
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            ts.add(t);
            t.start();
        }
        for (Thread t : ts) {
            t.join();
        }
        return count.get();
    }
}
