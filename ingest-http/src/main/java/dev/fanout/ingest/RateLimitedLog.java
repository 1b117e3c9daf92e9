package dev.fanout.ingest;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Logs at most one line per key and interval, saying how many were left out since. Overload
 * answers come in bursts of hundreds; one line every few seconds tells the operator the same.
 */
public final class RateLimitedLog {

    private final Logger log;
    private final long intervalNanos;
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    public RateLimitedLog(Logger log, long interval, TimeUnit unit) {
        this.log = log;
        this.intervalNanos = unit.toNanos(interval);
    }

    public void warn(String key, String message) {
        Window w = windows.computeIfAbsent(key, k -> new Window());
        long now = System.nanoTime();
        long last = w.lastLogged.get();
        if (last != 0 && now - last < intervalNanos) {
            w.suppressed.incrementAndGet();
            return;
        }
        if (!w.lastLogged.compareAndSet(last, now == 0 ? 1 : now)) {
            w.suppressed.incrementAndGet();
            return;
        }
        long left = w.suppressed.getAndSet(0);
        log.warn(left == 0 ? message : message + " (" + left + " more like it since the last such line)");
    }

    private static final class Window {
        final AtomicLong lastLogged = new AtomicLong();
        final AtomicLong suppressed = new AtomicLong();
    }
}
