package dev.fanout.alerts.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.alerts.delivery.DeliveryResult;
import dev.fanout.alerts.rules.Priority;
import dev.fanout.alerts.rules.RuleSet;
import dev.fanout.alerts.state.AlertState;
import dev.fanout.alerts.state.GroupState;
import dev.fanout.alerts.support.Events;
import dev.fanout.alerts.support.Harness;
import dev.fanout.alerts.support.InMemoryStateStore;
import dev.fanout.alerts.support.MutableClock;
import dev.fanout.alerts.support.RecordingChannel;
import dev.fanout.events.Envelope;
import dev.fanout.events.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The budget as a property over generated event streams (a seeded generator: every failure names
 * its seed): whatever arrives — bursts of thousands of groups, critical and normal rules with
 * several recipients, provider failures, quota answers, day and month boundaries — the provider
 * never gets more units than the caps, normal rules never touch the critical reserve, and a
 * critical group is held back only when the caps themselves have no room.
 */
class BudgetPropertyTest {

    private static final int STREAMS = 16;

    @Test
    void neverMoreEmailsThanTheBudgetAndTheCriticalReserveIsKept() throws Exception {
        for (int seed = 1; seed <= STREAMS; seed++) {
            runStream(seed);
        }
    }

    private void runStream(long seed) throws Exception {
        Random rnd = new Random(seed);
        int daily = 5 + rnd.nextInt(60);
        int reserve = rnd.nextInt(Math.max(1, daily / 3));
        int monthly = daily + rnd.nextInt(daily * 12);
        int criticalRecipients = 1 + rnd.nextInt(3);
        int normalRecipients = 1 + rnd.nextInt(2);
        // Caps too small for a rule's recipients are refused at start; generate valid settings only.
        while (daily - reserve - Harness.OPERATOR.size() < normalRecipients) {
            daily++;
        }
        monthly = Math.max(monthly, daily);
        RuleSet rules = Harness.rules("""
                rules:
                  - name: crit
                    match: {severity: critical}
                    priority: critical
                    recipients: %s
                    group-by: [host, template]
                  - name: norm
                    match: {severity: error}
                    recipients: %s
                    group-by: [host, template]
                    group-wait: 10s
                    group-interval: 2m
                    repeat-interval: 30m
                """.formatted(addresses("c", criticalRecipients), addresses("n", normalRecipients)));
        AlertSettings settings = Harness.settings(rules, daily, monthly, reserve);
        MutableClock clock = new MutableClock(Instant.parse("2026-01-30T20:00:00Z").plusSeconds(rnd.nextInt(86_400)));
        RecordingChannel provider = new RecordingChannel();
        Map<String, Integer> unitsByDay = new HashMap<>();
        Map<String, Integer> normalUnitsByDay = new HashMap<>();
        Map<String, Integer> unitsByMonth = new HashMap<>();
        provider.answer = d -> {
            int p = rnd.nextInt(100);
            if (p < 8) {
                return new DeliveryResult.Transient("503 (generated)");
            }
            if (p < 10) {
                return new DeliveryResult.RateLimited(Duration.ofSeconds(1 + rnd.nextInt(5)), "429 rate_limit_exceeded");
            }
            if (p == 10) {
                return new DeliveryResult.QuotaExceeded(rnd.nextBoolean(), "429 quota (generated)");
            }
            String day = Budget.dayOf(clock.millis());
            int units = d.units;
            unitsByDay.merge(day, units, Integer::sum);
            unitsByMonth.merge(Budget.monthOf(clock.millis()), units, Integer::sum);
            if (!"critical".equals(d.priority) && !"digest".equals(d.kind)) {
                normalUnitsByDay.merge(day, units, Integer::sum);
            }
            return null;
        };
        Harness h = new Harness(settings, new InMemoryStateStore(), provider, clock);
        Instant end = clock.instant().plus(Duration.ofDays(2 + rnd.nextInt(4)));
        while (clock.instant().isBefore(end)) {
            int kind = rnd.nextInt(20);
            List<Envelope> events = new ArrayList<>();
            int n = kind == 0 ? 500 + rnd.nextInt(1500) : kind < 8 ? rnd.nextInt(40) : 0;
            int templates = kind == 0 ? 120 : 1 + rnd.nextInt(60);
            for (int i = 0; i < n; i++) {
                Severity sev = rnd.nextInt(10) == 0 ? Severity.CRITICAL : rnd.nextInt(3) == 0 ? Severity.INFO : Severity.ERROR;
                events.add(Events.event("h" + rnd.nextInt(5), "app", sev, "failure kind " + alpha(rnd.nextInt(templates)),
                        clock.instant()));
            }
            if (!events.isEmpty()) {
                h.sink.write(Events.batch(events));
            }
            h.scheduler.runOnce();
            checkReserve(h, settings, seed);
            clock.advance(Duration.ofSeconds(1 + rnd.nextInt(rnd.nextInt(10) == 0 ? 6 * 3600 : 3600)));
        }
        String why = "seed " + seed + " (daily " + daily + ", monthly " + monthly + ", reserve " + reserve + ")";
        assertThat(unitsByDay.values()).as(why).allSatisfy(u -> assertThat(u).isLessThanOrEqualTo(settings.dailyCap()));
        assertThat(unitsByMonth.values()).as(why).allSatisfy(u -> assertThat(u).isLessThanOrEqualTo(settings.monthlyCap()));
        assertThat(normalUnitsByDay.values()).as(why)
                .allSatisfy(u -> assertThat(u).isLessThanOrEqualTo(settings.normalLimit(settings.dailyCap())));
        assertThat(provider.accepted).as(why).isNotEmpty();
    }

    /** A critical group held back means the caps had no room for it (or the provider blocked us). */
    private static void checkReserve(Harness h, AlertSettings settings, long seed) throws Exception {
        AlertState s = h.state.read(st -> st, Long.MAX_VALUE);
        int units = settings.rules().rule("crit").orElseThrow().recipients().size();
        for (GroupState g : s.groups.values()) {
            if (g.heldBack && Priority.CRITICAL.wireName().equals(g.priority)) {
                boolean noRoom = s.budget.dayUsed + units > settings.dailyCap()
                        || s.budget.monthUsed + units > settings.monthlyCap() || s.budget.blockedUntil != 0;
                assertThat(noRoom).as("seed %d: critical group held back with %d/%d used today, %d/%d this month", seed,
                        s.budget.dayUsed, settings.dailyCap(), s.budget.monthUsed, settings.monthlyCap()).isTrue();
            }
        }
    }

    private static String addresses(String prefix, int n) {
        List<String> a = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            a.add(prefix + i + "@example.org");
        }
        return a.toString();
    }

    /** Letters only, so that the template keeps them apart. */
    private static String alpha(int n) {
        StringBuilder b = new StringBuilder();
        do {
            b.append((char) ('a' + n % 26));
            n /= 26;
        } while (n > 0);
        return b.toString();
    }
}
