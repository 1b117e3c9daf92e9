package dev.fanout.alerts.engine;

import dev.fanout.alerts.delivery.DeliveryResult;
import dev.fanout.alerts.email.EmailRenderer;
import dev.fanout.alerts.rules.Priority;
import dev.fanout.alerts.rules.Rule;
import dev.fanout.alerts.rules.Timers;
import dev.fanout.alerts.state.AlertState;
import dev.fanout.alerts.state.AlertState.BudgetState;
import dev.fanout.alerts.state.Delivery;
import dev.fanout.alerts.state.Delivery.OutgoingEmail;
import dev.fanout.alerts.state.GroupState;
import dev.fanout.events.port.SinkRecord;
import dev.fanout.store.ArchiveLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The alert logic as pure functions of the state and a time: count events into groups
 * ({@link #apply}), decide which e-mails to send and pay for them ({@link #plan}), and record what
 * the provider answered ({@link #settle}). The callers run each inside one compare-and-set update
 * of the state, so whatever two instances do concurrently, one budget unit is spent once and one
 * window is e-mailed once.
 *
 * <p>Timers (Alertmanager's, per rule): a new group waits {@code group-wait} before its first
 * e-mail. After an e-mail, the next comes after {@code group-interval} if a message template not
 * yet e-mailed joined the group, else after {@code repeat-interval} — and only if events arrived
 * meanwhile. A group silent for {@code repeat-interval} after its last e-mail is forgotten.
 */
public final class AlertEngine {

    /** Totals kept in the state (also metrics). */
    public static final String T_EVENTS = "events_counted";
    public static final String T_DUPLICATES = "messages_deduplicated";
    public static final String T_EMAILS_PLANNED = "emails_planned";
    public static final String T_EMAILS_SENT = "emails_sent";
    public static final String T_HELD_BACK = "groups_held_back";
    public static final String T_DIGESTS = "digests_planned";
    public static final String T_DEAD_LETTERED = "emails_dead_lettered";
    public static final String T_OVERFLOW = "events_in_overflow_groups";

    /** Longest backoff between attempts of one delivery after 5xx or timeouts. */
    public static final long MAX_BACKOFF_MILLIS = 10 * 60_000L;
    public static final long FIRST_BACKOFF_MILLIS = 5_000L;

    private final AlertSettings settings;
    private final EventClassifier classifier;
    private final Budget budget;
    private final EmailRenderer renderer;

    public AlertEngine(AlertSettings settings) {
        this.settings = settings;
        this.classifier = new EventClassifier(settings.rules());
        this.budget = new Budget(settings);
        this.renderer = new EmailRenderer(settings);
    }

    public AlertSettings settings() {
        return settings;
    }

    public Budget budget() {
        return budget;
    }

    /** Matching and fingerprinting of a batch; touches no state. */
    public BatchDelta classify(List<SinkRecord> records) {
        return classifier.classify(records);
    }

    // ---------------------------------------------------------------- counting

    /** Adds the batch to the groups; messages counted before (redelivery) are skipped. */
    public boolean apply(AlertState s, BatchDelta d, long now) {
        if (d.isEmpty()) {
            return false;
        }
        Set<String> recent = new HashSet<>(s.recentMessages);
        boolean changed = false;
        for (BatchDelta.MessageDelta m : d.messages) {
            if (settings.dedupeWindow() > 0 && recent.contains(m.dedupeKey)) {
                s.addTotal(T_DUPLICATES, 1);
                changed = true;
                continue;
            }
            for (BatchDelta.GroupDelta gd : m.groups.values()) {
                add(s, gd, now);
            }
            changed = true;
            if (settings.dedupeWindow() > 0) {
                s.recentMessages.add(m.dedupeKey);
                recent.add(m.dedupeKey);
            }
        }
        int excess = s.recentMessages.size() - settings.dedupeWindow();
        if (excess > 0) {
            s.recentMessages.subList(0, excess).clear();
        }
        return changed;
    }

    private void add(AlertState s, BatchDelta.GroupDelta gd, long now) {
        GroupState g = s.groups.get(gd.fingerprint);
        if (g == null) {
            if (s.groups.size() >= settings.maxGroups()) {
                g = overflowGroup(s, gd.rule, now);
                s.addTotal(T_OVERFLOW, gd.count);
            } else {
                g = new GroupState();
                g.fingerprint = gd.fingerprint;
                g.rule = gd.rule.name();
                g.priority = gd.rule.priority().wireName();
                g.labels.putAll(gd.labels);
                g.template = gd.template;
                g.createdAt = now;
                g.windowStart = now;
                g.firstSeen = gd.firstSeen;
                s.groups.put(g.fingerprint, g);
            }
        }
        if (g.pending == 0) {
            g.pendingFirst = gd.firstSeen;
            g.pendingLast = gd.lastSeen;
        } else {
            g.pendingFirst = Math.min(g.pendingFirst, gd.firstSeen);
            g.pendingLast = Math.max(g.pendingLast, gd.lastSeen);
        }
        g.pending += gd.count;
        g.total += gd.count;
        g.firstSeen = g.firstSeen == 0 ? gd.firstSeen : Math.min(g.firstSeen, gd.firstSeen);
        g.lastSeen = Math.max(g.lastSeen, gd.lastSeen);
        g.lastEventAt = now;
        for (Map.Entry<String, Long> h : gd.hosts.entrySet()) {
            String host = h.getKey();
            if (!g.hosts.containsKey(host) && g.hosts.size() >= BatchDelta.MAX_HOSTS) {
                host = BatchDelta.OTHER_HOSTS;
            }
            g.hosts.merge(host, h.getValue(), Long::sum);
        }
        for (GroupState.Sample sample : gd.samples) {
            if (g.samples.size() >= BatchDelta.MAX_SAMPLES) {
                break;
            }
            g.samples.add(sample);
        }
        for (String th : gd.templateHashes) {
            if (!g.templates.contains(th)) {
                if (g.templates.size() < BatchDelta.MAX_TEMPLATES) {
                    g.templates.add(th);
                }
                if (g.lastSentAt != 0) {
                    g.newTemplate = true;
                }
            } else if (g.lastSentAt != 0 && !g.notified.contains(th)) {
                g.newTemplate = true;
            }
        }
        s.addTotal(T_EVENTS, gd.count);
    }

    private GroupState overflowGroup(AlertState s, Rule rule, long now) {
        String fp = classifier.overflowFingerprint(rule.name());
        GroupState g = s.groups.get(fp);
        if (g == null) {
            g = new GroupState();
            g.fingerprint = fp;
            g.rule = rule.name();
            g.priority = rule.priority().wireName();
            g.overflow = true;
            g.template = "(many groups)";
            g.createdAt = now;
            g.windowStart = now;
            s.groups.put(fp, g);
        }
        return g;
    }

    // ---------------------------------------------------------------- planning

    /** What one {@link #plan} did, for logs and metrics. */
    public record Plan(boolean changed, List<Delivery> deliveries, int heldBackNow, int newlyHeldBack, int removedGroups) {
        public int emails() {
            int n = 0;
            for (Delivery d : deliveries) {
                n += d.emails.size();
            }
            return n;
        }
    }

    /** Decides which groups are e-mailed now, pays for them, and adds the deliveries to the outbox. */
    public Plan plan(AlertState s, long now) {
        BudgetState b = s.budget;
        boolean changed = budget.roll(b, now);
        changed |= rechargeCarriedOver(s, now);
        int removed = forgetSilentGroups(s, now);
        changed |= removed > 0;

        List<GroupState> due = new ArrayList<>();
        for (GroupState g : s.groups.values()) {
            if (isDue(g, now)) {
                due.add(g);
            }
        }
        due.sort(Comparator.comparing((GroupState g) -> !Priority.CRITICAL.wireName().equals(g.priority))
                .thenComparing(g -> !g.heldBack)
                .thenComparingLong(g -> g.heldBack ? g.heldBackSince : g.windowStart)
                .thenComparing(g -> g.fingerprint));

        boolean blocked = budget.blocked(b, now);
        List<OutgoingEmail> critical = new ArrayList<>();
        List<OutgoingEmail> normal = new ArrayList<>();
        int newlyHeld = 0;
        for (GroupState g : due) {
            Rule rule = ruleOf(g);
            int units = rule.recipients().size();
            Budget.Pool pool = Budget.poolOf(rule.priority());
            if (!blocked && budget.canAfford(b, pool, units)) {
                // Group + window: the window's start plus the group's e-mail count, so that two windows of one
                // group can never share a key even within one millisecond (the provider would answer 409
                // and the second e-mail would be lost as "already sent").
                String key = "alert-" + g.rule + "-" + g.fingerprint + "-" + g.windowStart + "-" + g.emails;
                OutgoingEmail e = renderer.alert(g, rule, key, now);
                budget.charge(b, pool, units);
                notified(g, now);
                (pool == Budget.Pool.CRITICAL ? critical : normal).add(e);
            } else if (!g.heldBack) {
                g.heldBack = true;
                g.heldBackSince = now;
                newlyHeld++;
                s.addTotal(T_HELD_BACK, 1);
                if (s.digest.firstHeldBackAt == 0) {
                    s.digest.firstHeldBackAt = now;
                }
            }
        }
        // A group that stays held back is not a change: no write (an R2 class-A operation) per tick.
        changed |= newlyHeld > 0 || !critical.isEmpty() || !normal.isEmpty();

        List<Delivery> planned = new ArrayList<>();
        addDeliveries(s, critical, Priority.CRITICAL.wireName(), "alert", now, planned);
        addDeliveries(s, normal, Priority.NORMAL.wireName(), "alert", now, planned);
        changed |= planDigest(s, now, blocked, planned);
        int held = 0;
        for (GroupState g : s.groups.values()) {
            if (g.heldBack) {
                held++;
            }
        }
        return new Plan(changed || !planned.isEmpty(), planned, held, newlyHeld, removed);
    }

    private boolean planDigest(AlertState s, long now, boolean blocked, List<Delivery> planned) {
        AlertState.DigestState d = s.digest;
        if (blocked || d.firstHeldBackAt == 0 || now < d.firstHeldBackAt + settings.digestWait().toMillis()) {
            return false;
        }
        List<GroupState> held = new ArrayList<>();
        for (GroupState g : s.groups.values()) {
            if (g.heldBack && g.pending > 0) {
                held.add(g);
            }
        }
        if (held.isEmpty()) {
            d.firstHeldBackAt = 0;
            return true;
        }
        int units = settings.recipients().size();
        if (!budget.canAfford(s.budget, Budget.Pool.DIGEST, units)) {
            // Already sent today's digest (or the caps are reached): the groups wait for the next day.
            return false;
        }
        held.sort(Comparator.comparing((GroupState g) -> g.rule).thenComparing(g -> -g.pending).thenComparing(g -> g.fingerprint));
        String day = Budget.dayOf(now);
        if (!day.equals(d.day)) {
            d.day = day;
            d.sequence = 0;
        }
        d.sequence++;
        String key = "digest-" + day + "-" + d.sequence;
        budget.charge(s.budget, Budget.Pool.DIGEST, units);
        OutgoingEmail e = renderer.digest(held, key, now, budget.remaining(s.budget, Budget.Pool.DIGEST));
        for (GroupState g : held) {
            notified(g, now);
        }
        d.firstHeldBackAt = 0;
        s.addTotal(T_DIGESTS, 1);
        addDeliveries(s, List.of(e), "digest", "digest", now, planned);
        return true;
    }

    /** The group's window was e-mailed (alone or in a digest): start the next one. */
    private static void notified(GroupState g, long now) {
        g.lastSentAt = now;
        g.windowStart = now;
        g.pending = 0;
        g.pendingFirst = 0;
        g.pendingLast = 0;
        g.hosts.clear();
        g.samples.clear();
        for (String t : g.templates) {
            if (!g.notified.contains(t) && g.notified.size() < BatchDelta.MAX_TEMPLATES) {
                g.notified.add(t);
            }
        }
        g.newTemplate = false;
        g.heldBack = false;
        g.heldBackSince = 0;
        g.emails++;
    }

    private void addDeliveries(AlertState s, List<OutgoingEmail> emails, String priority, String kind, long now,
            List<Delivery> planned) {
        for (int i = 0; i < emails.size(); i += AlertSettings.MAX_BATCH_EMAILS) {
            List<OutgoingEmail> chunk = emails.subList(i, Math.min(emails.size(), i + AlertSettings.MAX_BATCH_EMAILS));
            Delivery d = new Delivery();
            d.kind = kind;
            d.priority = priority;
            d.emails.addAll(chunk);
            d.key = chunk.size() == 1 ? chunk.get(0).key : batchKey(chunk);
            for (OutgoingEmail e : chunk) {
                d.units += e.recipients;
            }
            d.chargedDay = s.budget.day;
            d.chargedMonth = s.budget.month;
            d.createdAt = now;
            d.nextAttemptAt = now;
            s.outbox.add(d);
            s.addTotal(T_EMAILS_PLANNED, chunk.size());
            planned.add(d);
        }
    }

    /** One key for a batch request: derived from its e-mails' keys, so a repeat of the batch is the same request. */
    static String batchKey(List<OutgoingEmail> chunk) {
        var sha = ArchiveLayout.sha256();
        for (OutgoingEmail e : chunk) {
            sha.update(e.key.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) '\n');
        }
        return "batch-" + HexFormat.of().formatHex(sha.digest()).substring(0, 40);
    }

    /** A delivery paid on an earlier day or month that is still unsent is paid again on the current one. */
    private boolean rechargeCarriedOver(AlertState s, long now) {
        boolean changed = false;
        BudgetState b = s.budget;
        for (Delivery d : s.outbox) {
            boolean newDay = !b.day.equals(d.chargedDay);
            boolean newMonth = !b.month.equals(d.chargedMonth);
            if (!newDay && !newMonth) {
                continue;
            }
            Budget.Pool pool = "digest".equals(d.kind) ? Budget.Pool.DIGEST
                    : "critical".equals(d.priority) ? Budget.Pool.CRITICAL : Budget.Pool.NORMAL;
            // Within a month only the day counter is charged again.
            int dayUnits = newDay ? d.units : 0;
            int monthUnits = newMonth ? d.units : 0;
            if (b.dayUsed + dayUnits <= limitOf(pool, settings.dailyCap())
                    && b.monthUsed + monthUnits <= limitOf(pool, settings.monthlyCap())) {
                b.dayUsed += dayUnits;
                b.monthUsed += monthUnits;
                if (pool == Budget.Pool.CRITICAL) {
                    b.dayCritical += dayUnits;
                }
                d.chargedDay = b.day;
                d.chargedMonth = b.month;
                changed = true;
            }
        }
        return changed;
    }

    private int limitOf(Budget.Pool pool, int cap) {
        return switch (pool) {
            case NORMAL -> settings.normalLimit(cap);
            case DIGEST -> settings.digestLimit(cap);
            case CRITICAL -> cap;
        };
    }

    private boolean isDue(GroupState g, long now) {
        if (g.pending <= 0) {
            return false;
        }
        if (g.heldBack) {
            return true;
        }
        Timers t = ruleOf(g).timers();
        if (g.lastSentAt == 0) {
            return now >= g.createdAt + t.groupWait().toMillis();
        }
        long wait = (g.newTemplate ? t.groupInterval() : t.repeatInterval()).toMillis();
        return now >= g.lastSentAt + wait;
    }

    private int forgetSilentGroups(AlertState s, long now) {
        int removed = 0;
        for (Iterator<GroupState> it = s.groups.values().iterator(); it.hasNext(); ) {
            GroupState g = it.next();
            if (g.pending == 0 && !g.heldBack
                    && now >= Math.max(g.lastSentAt, g.lastEventAt) + ruleOf(g).timers().repeatInterval().toMillis()) {
                it.remove();
                removed++;
            }
        }
        return removed;
    }

    /** The group's rule; a rule removed from the file since falls back to the global recipients and timers. */
    private Rule ruleOf(GroupState g) {
        return settings.rules().rule(g.rule).orElseGet(() -> Rule.defaultRule(settings.recipients(),
                settings.rules().rules().get(0).timers()));
    }

    /** Earliest time something may become due (a timer, a retry, a digest, the end of a block). */
    public long nextWakeup(AlertState s, long now) {
        long next = Long.MAX_VALUE;
        for (GroupState g : s.groups.values()) {
            if (g.pending > 0 && !g.heldBack) {
                Timers t = ruleOf(g).timers();
                long due = g.lastSentAt == 0 ? g.createdAt + t.groupWait().toMillis()
                        : g.lastSentAt + (g.newTemplate ? t.groupInterval() : t.repeatInterval()).toMillis();
                next = Math.min(next, due);
            }
        }
        for (Delivery d : s.outbox) {
            next = Math.min(next, d.nextAttemptAt);
        }
        if (s.digest.firstHeldBackAt != 0) {
            next = Math.min(next, s.digest.firstHeldBackAt + settings.digestWait().toMillis());
        }
        if (s.budget.blockedUntil != 0) {
            next = Math.min(next, s.budget.blockedUntil);
        }
        return Math.max(next, now);
    }

    // ---------------------------------------------------------------- sending

    /** The deliveries that may be attempted now, oldest first. */
    public List<Delivery> sendable(AlertState s, long now) {
        List<Delivery> out = new ArrayList<>();
        if (budget.blocked(s.budget, now)) {
            return out;
        }
        for (Delivery d : s.outbox) {
            if (d.nextAttemptAt <= now && Budget.dayOf(now).equals(d.chargedDay) && Budget.monthOf(now).equals(d.chargedMonth)) {
                out.add(d);
            }
        }
        return out;
    }

    /** What {@link #settle} decided, for logs, metrics and dead letters. */
    public record Settled(boolean changed, boolean stopSending, List<OutgoingEmail> deadLetters, String reason, int sent) {}

    /** Records the provider's answer to delivery {@code key}. */
    public Settled settle(AlertState s, String key, DeliveryResult r, long now) {
        Delivery d = null;
        int index = -1;
        for (int i = 0; i < s.outbox.size(); i++) {
            if (s.outbox.get(i).key.equals(key)) {
                d = s.outbox.get(i);
                index = i;
                break;
            }
        }
        if (d == null) {
            // Another instance settled it first.
            return new Settled(false, false, List.of(), "gone", 0);
        }
        if (r instanceof DeliveryResult.Sent) {
                s.outbox.remove(index);
                s.addTotal(T_EMAILS_SENT, d.emails.size());
                return new Settled(true, false, List.of(), "sent", d.emails.size());
        }
        if (r instanceof DeliveryResult.AlreadySent already) {
                s.outbox.remove(index);
                s.addTotal(T_EMAILS_SENT, d.emails.size());
                return new Settled(true, false, List.of(), already.reason(), d.emails.size());
        }
        if (r instanceof DeliveryResult.RateLimited rl) {
                d.nextAttemptAt = now + Math.max(1000, rl.retryAfter().toMillis());
                d.lastError = rl.reason();
                return new Settled(true, true, List.of(), rl.reason(), 0);
        }
        if (r instanceof DeliveryResult.QuotaExceeded q) {
                BudgetState b = s.budget;
                b.blockedUntil = q.monthly() ? Budget.nextMonth(now) : Budget.nextDay(now);
                b.blockedReason = q.reason();
                // The provider counts differently (another sender on the account?): spend nothing more today.
                b.dayUsed = Math.max(b.dayUsed, settings.dailyCap());
                if (q.monthly()) {
                    b.monthUsed = Math.max(b.monthUsed, settings.monthlyCap());
                }
                d.lastError = q.reason();
                return new Settled(true, true, List.of(), q.reason(), 0);
        }
        if (r instanceof DeliveryResult.Transient t) {
                d.attempts++;
                long backoff = Math.min(MAX_BACKOFF_MILLIS, FIRST_BACKOFF_MILLIS << Math.min(20, d.attempts - 1));
                d.nextAttemptAt = now + backoff;
                d.lastError = t.reason();
                return new Settled(true, true, List.of(), t.reason(), 0);
        }
        DeliveryResult.Permanent p = (DeliveryResult.Permanent) r;
        {
                if (d.emails.size() > 1 && (p.status() == 400 || p.status() == 422)) {
                    // One bad e-mail must not cost the batch: send them one by one, each under its own key.
                    s.outbox.remove(index);
                    List<Delivery> singles = new ArrayList<>();
                    for (OutgoingEmail e : d.emails) {
                        Delivery one = new Delivery();
                        one.key = e.key;
                        one.kind = d.kind;
                        one.priority = d.priority;
                        one.emails.add(e);
                        one.units = e.recipients;
                        one.chargedDay = d.chargedDay;
                        one.chargedMonth = d.chargedMonth;
                        one.createdAt = d.createdAt;
                        one.nextAttemptAt = now;
                        one.lastError = "batch refused: " + p.reason();
                        singles.add(one);
                    }
                    s.outbox.addAll(index, singles);
                    return new Settled(true, false, List.of(), "batch split: " + p.reason(), 0);
                }
                s.outbox.remove(index);
                s.addTotal(T_DEAD_LETTERED, d.emails.size());
                return new Settled(true, false, List.copyOf(d.emails), p.reason(), 0);
        }
    }
}
