package dev.fanout.cli.replay;

import dev.fanout.cli.Console;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Progress of a run on stderr: a redrawn bar with rate and ETA on a terminal, a plain line every
 * {@code plainInterval} otherwise (pipes, Cloud Run logs), nothing with {@code --progress none}.
 */
public final class Progress implements AutoCloseable {

    public enum Mode { AUTO, BAR, PLAIN, NONE }

    private final Console console;
    private final ReplayStats stats;
    private final boolean bar;
    private final long startNanos = System.nanoTime();
    private final ScheduledExecutorService timer;

    public Progress(Console console, ReplayStats stats, Mode mode, Duration plainInterval) {
        this.console = console;
        this.stats = stats;
        Mode m = mode == Mode.AUTO ? (console.format() == Console.Format.TEXT && stderrIsTerminal() ? Mode.BAR : Mode.PLAIN) : mode;
        this.bar = m == Mode.BAR;
        if (m == Mode.NONE) {
            timer = null;
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "progress");
            t.setDaemon(true);
            return t;
        });
        long every = bar ? 250 : plainInterval.toMillis();
        timer.scheduleAtFixedRate(this::print, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * Whether fd 2 is a terminal. Java only tells that for stdin+stdout together ({@code System.console()});
     * on Linux {@code /proc/self/fd/2} points at a tty or pts device when stderr is one.
     */
    static boolean stderrIsTerminal() {
        try {
            String target = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (Exception notLinux) {
            return System.console() != null;
        }
    }

    private void print() {
        long total = stats.objectsTotal.get();
        long done = stats.objectsDone.get() + stats.objectsSkipped.get() + stats.objectsFailed.get();
        double secs = Math.max(0.001, (System.nanoTime() - startNanos) / 1e9);
        double rate = stats.eventsSent.get() / secs;
        String eta = "?";
        long worked = stats.objectsDone.get() + stats.objectsFailed.get();
        if (worked > 0 && total > done) {
            double perObject = secs / worked;
            eta = formatDuration((long) ((total - done) * perObject));
        } else if (total > 0 && done >= total) {
            eta = "0s";
        }
        if (bar) {
            int width = 30;
            int filled = total == 0 ? 0 : (int) Math.min(width, done * width / total);
            String line = String.format(Locale.ROOT, "\r[%s%s] %d/%d objects  %,d events sent  %,.0f ev/s  ETA %s   ",
                    "#".repeat(filled), ".".repeat(width - filled), done, total, stats.eventsSent.get(), rate, eta);
            console.raw(line);
        } else {
            console.event("INFO", String.format(Locale.ROOT,
                    "progress: %d/%d objects, %,d events read, %,d matched, %,d sent, %,.0f events/s, ETA %s",
                    done, total, stats.eventsRead.get(), stats.eventsMatched.get(), stats.eventsSent.get(), rate, eta),
                    stats.toMap());
        }
    }

    static String formatDuration(long seconds) {
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return (seconds / 60) + "m" + (seconds % 60) + "s";
        }
        return (seconds / 3600) + "h" + (seconds % 3600 / 60) + "m";
    }

    public double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
            if (bar) {
                print();
                console.raw(System.lineSeparator());
            }
        }
    }
}
