package dev.fanout.alerts.status;

import dev.fanout.alerts.AlertConfig;
import dev.fanout.alerts.AlertMetrics;
import dev.fanout.alerts.engine.AlertEngine;
import dev.fanout.alerts.engine.Budget;
import dev.fanout.alerts.state.AlertState;
import dev.fanout.alerts.state.StateManager;
import dev.fanout.events.status.Health;
import dev.fanout.events.status.StatusContributor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code alerts} section of {@code /v1/status}: the e-mail budget left today and this month
 * (in recipients, as Resend counts), whether a provider quota answer blocks sending, and the
 * outbox and groups tracked. Read from the state manager's cached document (no store access), as
 * the {@code fanout_alerts_budget_*} gauges are. No recipients, subjects or event content.
 */
@ApplicationScoped
public class AlertStatus implements StatusContributor {

    @Inject
    AlertConfig config;
    @Inject
    Instance<AlertEngine> engine;
    @Inject
    Instance<StateManager> state;
    @Inject
    Instance<AlertMetrics> metrics;

    @Override
    public String section() {
        return "alerts";
    }

    @Override
    public Object status(Health health) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("enabled", config.enabled());
        if (!config.enabled()) {
            return s;
        }
        AlertEngine e = engine.get();
        Budget budget = e.budget();
        long now = System.currentTimeMillis();
        Map<String, Object> b = state.get().peek(st -> budget(st, budget, now), null);
        s.put("budget", b);
        s.put("daily_cap", e.settings().dailyCap());
        s.put("monthly_cap", e.settings().monthlyCap());
        s.put("emails_sent", (long) metrics.get().sentTotal());
        s.put("groups", state.get().peek(st -> st.groups.size(), null));
        s.put("outbox", state.get().peek(st -> st.outbox.size(), null));
        return s;
    }

    /** The budget as of now: counters of an earlier day or month read as that period's reset. */
    static Map<String, Object> budget(AlertState st, Budget budget, long now) {
        AlertState.BudgetState b = new AlertState.BudgetState();
        b.day = st.budget.day;
        b.dayUsed = st.budget.dayUsed;
        b.dayCritical = st.budget.dayCritical;
        b.month = st.budget.month;
        b.monthUsed = st.budget.monthUsed;
        b.blockedUntil = st.budget.blockedUntil;
        budget.roll(b, now);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("remaining_today", budget.remaining(b, Budget.Pool.CRITICAL));
        m.put("remaining_today_normal", budget.remaining(b, Budget.Pool.NORMAL));
        m.put("used_today", b.dayUsed);
        m.put("used_this_month", b.monthUsed);
        m.put("blocked_until", b.blockedUntil == 0 ? null : Instant.ofEpochMilli(b.blockedUntil).toString());
        return m;
    }
}
