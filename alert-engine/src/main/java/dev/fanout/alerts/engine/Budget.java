package dev.fanout.alerts.engine;

import dev.fanout.alerts.rules.Priority;
import dev.fanout.alerts.state.AlertState.BudgetState;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * The e-mail budget, in units of one recipient (Resend counts every To/CC/BCC address). Three
 * pools per UTC day and month: normal rules may bring the day's total up to
 * {@code cap - critical-reserve - digest recipients}; one digest of held-back groups may bring it
 * to {@code cap - critical-reserve}; critical rules may spend up to the cap. So the caps are never
 * exceeded whatever arrives, the critical reserve is always there for critical rules, and there
 * is always room for the digest that says what was held back.
 */
public final class Budget {

    /** Which pool pays. */
    public enum Pool { NORMAL, DIGEST, CRITICAL }

    private final AlertSettings settings;

    public Budget(AlertSettings settings) {
        this.settings = settings;
    }

    public static Pool poolOf(Priority p) {
        return p == Priority.CRITICAL ? Pool.CRITICAL : Pool.NORMAL;
    }

    public static String dayOf(long millis) {
        return LocalDate.ofInstant(Instant.ofEpochMilli(millis), ZoneOffset.UTC).toString();
    }

    public static String monthOf(long millis) {
        return dayOf(millis).substring(0, 7);
    }

    /** Start of the next UTC day after {@code millis}. */
    public static long nextDay(long millis) {
        return LocalDate.ofInstant(Instant.ofEpochMilli(millis), ZoneOffset.UTC).plusDays(1)
                .atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    }

    /** Start of the next UTC month after {@code millis}. */
    public static long nextMonth(long millis) {
        return LocalDate.ofInstant(Instant.ofEpochMilli(millis), ZoneOffset.UTC).withDayOfMonth(1).plusMonths(1)
                .atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    }

    /** Moves the counters to the current day and month; returns whether anything changed. */
    public boolean roll(BudgetState b, long now) {
        boolean changed = false;
        String day = dayOf(now);
        if (!day.equals(b.day)) {
            b.day = day;
            b.dayUsed = 0;
            b.dayCritical = 0;
            changed = true;
        }
        String month = monthOf(now);
        if (!month.equals(b.month)) {
            b.month = month;
            b.monthUsed = 0;
            changed = true;
        }
        if (b.blockedUntil != 0 && now >= b.blockedUntil) {
            b.blockedUntil = 0;
            b.blockedReason = null;
            changed = true;
        }
        return changed;
    }

    public boolean blocked(BudgetState b, long now) {
        return b.blockedUntil != 0 && now < b.blockedUntil;
    }

    /** Whether {@code units} more fit the pool today and this month. */
    public boolean canAfford(BudgetState b, Pool pool, int units) {
        int dayLimit = limit(pool, settings.dailyCap());
        int monthLimit = limit(pool, settings.monthlyCap());
        return b.dayUsed + units <= dayLimit && b.monthUsed + units <= monthLimit;
    }

    private int limit(Pool pool, int cap) {
        return switch (pool) {
            case NORMAL -> settings.normalLimit(cap);
            case DIGEST -> settings.digestLimit(cap);
            case CRITICAL -> cap;
        };
    }

    public void charge(BudgetState b, Pool pool, int units) {
        b.dayUsed += units;
        b.monthUsed += units;
        if (pool == Pool.CRITICAL) {
            b.dayCritical += units;
        }
    }

    /** Units left today for a pool (never negative). */
    public int remaining(BudgetState b, Pool pool) {
        return Math.max(0, Math.min(limit(pool, settings.dailyCap()) - b.dayUsed, limit(pool, settings.monthlyCap()) - b.monthUsed));
    }
}
