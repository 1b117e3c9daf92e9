package dev.fanout.alerts;

import dev.fanout.alerts.delivery.DeliveryChannel;
import dev.fanout.alerts.delivery.DeliveryResult;
import dev.fanout.alerts.delivery.NotificationDeadLetters;
import dev.fanout.alerts.engine.AlertEngine;
import dev.fanout.alerts.state.Delivery;
import dev.fanout.alerts.state.StateManager;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;

/**
 * Sends e-mail from the state, never from the bus: each {@link #runOnce} plans what is due (and
 * pays for it) in one compare-and-set update, then attempts the outbox's deliveries one by one,
 * recording each answer in another update. A background thread runs it when something may be due
 * (at most every {@code tick}, and at once after a write); Cloud Scheduler can also trigger it
 * through the alert-sink's tick endpoint while the service is scaled to zero.
 *
 * <p>An e-mail refused for good is written to the dead-letter store before it leaves the outbox;
 * if that write fails, it stays in the outbox and is tried again.
 */
public final class AlertScheduler implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(AlertScheduler.class);

    private final AlertEngine engine;
    private final StateManager state;
    private final DeliveryChannel channel;
    private final NotificationDeadLetters deadLetters;
    private final AlertMetrics metrics;
    private final Clock clock;
    private final Duration tick;
    private final long refreshMillis;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private boolean woken;
    private volatile boolean running;
    private Thread thread;
    private final Object runLock = new Object();

    public AlertScheduler(AlertEngine engine, StateManager state, DeliveryChannel channel, NotificationDeadLetters deadLetters,
            AlertMetrics metrics, Clock clock, Duration tick, long refreshMillis) {
        this.engine = engine;
        this.state = state;
        this.channel = channel;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.clock = clock;
        this.tick = tick;
        this.refreshMillis = refreshMillis;
    }

    public DeliveryChannel channel() {
        return channel;
    }

    /** What one run did. */
    public record Tick(int planned, int sent, int heldBack, int deadLettered, int failed, long nextWakeupMillis) {}

    /** Plans what is due and attempts the deliveries that may go now; never throws for provider answers. */
    public Tick runOnce() throws Exception {
        synchronized (runLock) {
            long now = clock.millis();
            AlertEngine.Plan[] plan = new AlertEngine.Plan[1];
            state.update(s -> {
                plan[0] = engine.plan(s, now);
                return plan[0].changed();
            }, refreshMillis);
            AlertEngine.Plan p = plan[0];
            if (p.newlyHeldBack() > 0) {
                metrics.heldBack(p.newlyHeldBack());
                LOG.warnf("alert budget: %d group(s) held back (%d waiting); a digest reports them", p.newlyHeldBack(), p.heldBackNow());
            }
            if (!p.deliveries().isEmpty()) {
                LOG.infof("alerts: planned %d e-mail(s) in %d request(s)", p.emails(), p.deliveries().size());
            }
            List<Delivery> sendable = state.read(s -> new ArrayList<>(engine.sendable(s, now)), Long.MAX_VALUE);
            int sent = 0;
            int dead = 0;
            int failed = 0;
            for (Delivery d : sendable) {
                DeliveryResult r = channel.send(d);
                long at = clock.millis();
                if (r instanceof DeliveryResult.Permanent perm && !(d.emails.size() > 1
                        && (perm.status() == 400 || perm.status() == 422))) {
                    // Kept before it leaves the outbox: nothing planned is ever dropped silently.
                    for (Delivery.OutgoingEmail e : d.emails) {
                        deadLetters.write(e, perm.reason(), at);
                    }
                }
                AlertEngine.Settled[] settled = new AlertEngine.Settled[1];
                state.update(s -> {
                    settled[0] = engine.settle(s, d.key, r, at);
                    return settled[0].changed();
                }, Long.MAX_VALUE);
                AlertEngine.Settled st = settled[0];
                if (r instanceof DeliveryResult.Sent || r instanceof DeliveryResult.AlreadySent) {
                    sent += st.sent();
                    metrics.sent(d.kind, st.sent());
                } else {
                    failed++;
                    metrics.failed(outcome(r));
                    if (!st.deadLetters().isEmpty()) {
                        dead += st.deadLetters().size();
                        metrics.deadLettered(st.deadLetters().size());
                        LOG.errorf("alerts: %s refused e-mail %s for good (%s); kept in the dead-letter store",
                                channel.name(), d.key, st.reason());
                    } else {
                        LOG.warnf("alerts: %s did not take %s: %s", channel.name(), d.key, st.reason());
                    }
                }
                if (st.stopSending()) {
                    break;
                }
            }
            long next = state.read(s -> engine.nextWakeup(s, clock.millis()), Long.MAX_VALUE);
            return new Tick(p.emails(), sent, p.heldBackNow(), dead, failed, next);
        }
    }

    private static String outcome(DeliveryResult r) {
        if (r instanceof DeliveryResult.RateLimited) {
            return "rate_limited";
        }
        if (r instanceof DeliveryResult.QuotaExceeded) {
            return "quota";
        }
        if (r instanceof DeliveryResult.Transient) {
            return "transient";
        }
        return "permanent";
    }

    /** Starts the background loop. */
    public synchronized AlertScheduler start() {
        if (running) {
            return this;
        }
        running = true;
        thread = new Thread(this::loop, "alert-scheduler");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    /** Makes the loop run soon (after a write added events). */
    public void wakeUp() {
        lock.lock();
        try {
            woken = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void loop() {
        long backoff = 1000;
        while (running) {
            long sleep;
            try {
                Tick t = runOnce();
                sleep = Math.min(tick.toMillis(), Math.max(10, t.nextWakeupMillis() - clock.millis()));
                backoff = 1000;
            } catch (Exception e) {
                LOG.warnf("alert scheduler: %s (retrying in %d ms)", e.toString(), backoff);
                sleep = backoff;
                backoff = Math.min(60_000, backoff * 2);
            } catch (Error e) {
                LOG.error("alert scheduler stopped", e);
                throw e;
            }
            lock.lock();
            try {
                if (!woken && running) {
                    wake.await(sleep, TimeUnit.MILLISECONDS);
                }
                woken = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                lock.unlock();
            }
        }
    }

    @Override
    public synchronized void close() {
        running = false;
        wakeUp();
        if (thread != null) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether the background loop is running. */
    public boolean running() {
        return running;
    }
}
