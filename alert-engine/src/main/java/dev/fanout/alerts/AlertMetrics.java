package dev.fanout.alerts;

import dev.fanout.alerts.engine.AlertEngine;
import dev.fanout.alerts.engine.Budget;
import dev.fanout.alerts.state.StateManager;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The alert sink's meters ({@code fanout_alerts_*} in Prometheus): events matched, e-mails sent,
 * groups held back, delivery failures by kind, dead-lettered e-mails, and gauges of the budget left
 * today and this month, the groups tracked and the outbox length (from the last state read).
 */
public final class AlertMetrics {

    private final MeterRegistry registry;
    private final Counter matched;
    private final Counter replayedIgnored;
    private final Counter duplicates;
    private final Counter heldBack;
    private final Counter deadLettered;

    public AlertMetrics(MeterRegistry registry) {
        this.registry = registry;
        matched = Counter.builder("fanout.alerts.events.matched").description("events that matched an alert rule").register(registry);
        replayedIgnored = Counter.builder("fanout.alerts.events.replayed.ignored")
                .description("replayed events not counted (the rule does not include replays)").register(registry);
        duplicates = Counter.builder("fanout.alerts.messages.duplicate")
                .description("redelivered messages recognised and not counted again").register(registry);
        heldBack = Counter.builder("fanout.alerts.groups.held.back")
                .description("groups whose e-mail the budget held back (each reported in a digest or later)").register(registry);
        deadLettered = Counter.builder("fanout.alerts.emails.dead.lettered")
                .description("e-mails the provider refused for good, kept in the dead-letter store").register(registry);
    }

    public static AlertMetrics unregistered() {
        return new AlertMetrics(new SimpleMeterRegistry());
    }

    /** Gauges read the state manager's cached document (no store access). */
    public void bindGauges(StateManager state, Budget budget) {
        Gauge.builder("fanout.alerts.budget.remaining", state,
                        s -> s.peek(st -> (double) budget.remaining(st.budget, Budget.Pool.CRITICAL), Double.NaN))
                .tag("period", "day").description("e-mail units left today (all pools)").register(registry);
        Gauge.builder("fanout.alerts.budget.remaining.normal", state,
                        s -> s.peek(st -> (double) budget.remaining(st.budget, Budget.Pool.NORMAL), Double.NaN))
                .description("e-mail units left today for normal rules").register(registry);
        Gauge.builder("fanout.alerts.budget.used", state, s -> s.peek(st -> (double) st.budget.monthUsed, Double.NaN))
                .tag("period", "month").description("e-mail units spent this month").register(registry);
        Gauge.builder("fanout.alerts.groups", state, s -> s.peek(st -> (double) st.groups.size(), Double.NaN))
                .description("alert groups tracked").register(registry);
        Gauge.builder("fanout.alerts.outbox", state, s -> s.peek(st -> (double) st.outbox.size(), Double.NaN))
                .description("provider requests planned and not yet confirmed").register(registry);
    }

    public void matched(long n) {
        matched.increment(n);
    }

    public void replayedIgnored(long n) {
        replayedIgnored.increment(n);
    }

    public void duplicates(long n) {
        duplicates.increment(n);
    }

    public void heldBack(long n) {
        heldBack.increment(n);
    }

    public void sent(String kind, long emails) {
        Counter.builder("fanout.alerts.emails.sent").tag("kind", kind).description("e-mails the provider accepted")
                .register(registry).increment(emails);
    }

    public void failed(String outcome) {
        Counter.builder("fanout.alerts.delivery.failures").tag("outcome", outcome)
                .description("provider requests that did not go through (rate_limited, quota, transient, permanent)")
                .register(registry).increment();
    }

    public void deadLettered(long n) {
        deadLettered.increment(n);
    }

    public double sentTotal() {
        double sum = 0;
        for (var c : registry.find("fanout.alerts.emails.sent").counters()) {
            sum += c.count();
        }
        return sum;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Names of the state totals that mirror these meters (kept in the state across restarts). */
    public static final String[] STATE_TOTALS = {AlertEngine.T_EVENTS, AlertEngine.T_EMAILS_SENT, AlertEngine.T_HELD_BACK};
}
