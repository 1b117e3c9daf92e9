package dev.fanout.alerts.support;

import dev.fanout.alerts.AlertMetrics;
import dev.fanout.alerts.AlertScheduler;
import dev.fanout.alerts.AlertSink;
import dev.fanout.alerts.delivery.DeliveryChannel;
import dev.fanout.alerts.delivery.NotificationDeadLetters;
import dev.fanout.alerts.engine.AlertEngine;
import dev.fanout.alerts.engine.AlertSettings;
import dev.fanout.alerts.rules.RuleSet;
import dev.fanout.alerts.rules.RulesLoader;
import dev.fanout.alerts.rules.Timers;
import dev.fanout.alerts.state.Delivery;
import dev.fanout.alerts.state.StateManager;
import dev.fanout.alerts.state.StateStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** One alert-sink "instance" (sink + scheduler) over a given state store, channel and clock. */
public final class Harness {
    public final AlertSettings settings;
    public final AlertEngine engine;
    public final StateManager state;
    public final AlertSink sink;
    public final AlertScheduler scheduler;
    public final List<String> deadLetters = Collections.synchronizedList(new ArrayList<>());

    public Harness(AlertSettings settings, StateStore store, DeliveryChannel channel, MutableClock clock) {
        this(settings, store, channel, clock, Long.MAX_VALUE);
    }

    /** @param refreshMillis how old the scheduler's cached state may be (0: always read the store first) */
    public Harness(AlertSettings settings, StateStore store, DeliveryChannel channel, MutableClock clock, long refreshMillis) {
        this.settings = settings;
        this.engine = new AlertEngine(settings);
        this.state = new StateManager(store, clock);
        AlertMetrics metrics = AlertMetrics.unregistered();
        this.sink = new AlertSink(engine, state, metrics, clock, null, 0);
        NotificationDeadLetters dl = (Delivery.OutgoingEmail e, String reason, long now) -> deadLetters.add(e.key + ": " + reason);
        this.scheduler = new AlertScheduler(engine, state, channel, dl, metrics, clock, Duration.ofSeconds(1), refreshMillis);
    }

    public static final List<String> OPERATOR = List.of("ops@example.org");

    public static AlertSettings settings(RuleSet rules) {
        return settings(rules, 90, 2900, 10);
    }

    public static AlertSettings settings(RuleSet rules, int daily, int monthly, int reserve) {
        return new AlertSettings(rules, OPERATOR, "Fanout <alerts@example.org>", daily, monthly, reserve,
                Duration.ofMinutes(5), 1000, 2000, "[fanout]",
                new AlertSettings.QueryHints("proj.fanout.events", "data/archive/events"));
    }

    public static RuleSet defaultRules() {
        return RulesLoader.defaults(new RulesLoader.Defaults(OPERATOR, Timers.defaults()));
    }

    public static RuleSet rules(String yaml) {
        return RulesLoader.parse("test.yaml", yaml, new RulesLoader.Defaults(OPERATOR, Timers.defaults()));
    }
}
