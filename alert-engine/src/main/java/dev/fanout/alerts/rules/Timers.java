package dev.fanout.alerts.rules;

import java.time.Duration;
import java.util.Objects;

/**
 * Alertmanager's three timers, per rule (defaults from {@code fanout.alerts.*}).
 *
 * @param groupWait      how long a new group collects events before its first e-mail
 * @param groupInterval  after an e-mail, how long before the next one when a new kind of event
 *                       (a message template not yet e-mailed) joined the group
 * @param repeatInterval after an e-mail, how long before the next one when only more of the same arrived
 */
public record Timers(Duration groupWait, Duration groupInterval, Duration repeatInterval) {
    public Timers {
        Objects.requireNonNull(groupWait, "groupWait");
        Objects.requireNonNull(groupInterval, "groupInterval");
        Objects.requireNonNull(repeatInterval, "repeatInterval");
        if (groupWait.isNegative() || groupInterval.isNegative() || repeatInterval.isNegative()) {
            throw new IllegalArgumentException("timers must not be negative");
        }
    }

    /** Alertmanager's defaults: 30 s, 5 min, 4 h. */
    public static Timers defaults() {
        return new Timers(Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofHours(4));
    }
}
