package dev.fanout.alerts.rules;

import java.util.Locale;

/** How a rule may spend the e-mail budget. */
public enum Priority {
    /** Spends the daily and monthly caps less the critical reserve (and the digest's share). */
    NORMAL,
    /** May also spend the critical reserve ({@code fanout.alerts.budget.critical-reserve}). */
    CRITICAL;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Priority fromWire(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }
}
