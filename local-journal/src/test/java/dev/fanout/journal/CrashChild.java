package dev.fanout.journal;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The process {@link KillNineTest} kills: publishes and consumes on a journal and reports on stdout
 * {@code P id} (publish future completed), {@code R id attempt} (delivered), {@code A id} (ack returned),
 * {@code S} (a position snapshot was taken) and {@code D} (that snapshot is on disk).
 * Args: journal dir, round, publisher threads.
 */
public final class CrashChild {

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String round = args[1];
        int publishers = Integer.parseInt(args[2]);
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
        DurableLocalBus bus = DurableLocalBus.open(options(dir));
        bus.checkpointHook = new DurableLocalBus.CheckpointHook() {
            @Override
            public void snapshot(String subscription) {
                line(out, "S");
            }

            @Override
            public void durable(String subscription) {
                line(out, "D");
            }
        };
        ScheduledExecutorService ackers = Executors.newScheduledThreadPool(3);
        Random rnd = new Random();
        bus.subscribe("archive", d -> {
            String id = Journals.id(d.message().data());
            line(out, "R " + id + " " + d.message().deliveryAttempt());
            // Acks come back out of order, as a batching sink's do.
            ackers.schedule(() -> {
                d.ack();
                line(out, "A " + id);
            }, rnd.nextInt(3000), TimeUnit.MICROSECONDS);
        });
        for (int t = 0; t < publishers; t++) {
            int tt = t;
            Thread th = new Thread(() -> {
                Random r = new Random(tt);
                for (long i = 0; ; i++) {
                    String id = "c" + round + "-" + tt + "-" + i;
                    try {
                        bus.publish(Journals.message(id, 100 + r.nextInt(6000))).get();
                        line(out, "P " + id);
                    } catch (Exception e) {
                        line(out, "F " + id + " " + e);
                    }
                }
            });
            th.setDaemon(true);
            th.start();
        }
        Thread.sleep(Long.MAX_VALUE);
    }

    static JournalOptions options(Path dir) {
        return JournalOptions.defaults(dir)
                .withDisk(1L << 30, 256 * 1024)
                .withCheckpointInterval(Duration.ofMillis(50));
    }

    private static void line(PrintStream out, String s) {
        synchronized (out) {
            out.println(s);
        }
    }
}
