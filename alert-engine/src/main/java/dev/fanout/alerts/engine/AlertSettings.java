package dev.fanout.alerts.engine;

import dev.fanout.alerts.rules.Priority;
import dev.fanout.alerts.rules.Rule;
import dev.fanout.alerts.rules.RuleSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What the engine needs, as plain values (tests build it directly; the app from {@code AlertConfig}).
 *
 * @param rules            the rule set
 * @param recipients       the global recipients: the digest's, and every rule's that names none
 * @param from             sender, e.g. {@code Fanout alerts <alerts@example.org>}
 * @param dailyCap         e-mail units (recipients) per UTC day
 * @param monthlyCap       e-mail units per UTC month
 * @param criticalReserve  units of each cap that only critical rules may spend
 * @param digestWait       how long after the first held-back group the digest goes out
 * @param maxGroups        groups tracked; beyond, new groups of a rule fold into its overflow group
 * @param dedupeWindow     messages remembered so that a redelivered one is not counted twice
 * @param subjectPrefix    subject prefix, e.g. {@code [fanout]}
 * @param query            how the e-mails' ready-made queries address the data
 */
public record AlertSettings(
        RuleSet rules,
        List<String> recipients,
        String from,
        int dailyCap,
        int monthlyCap,
        int criticalReserve,
        Duration digestWait,
        int maxGroups,
        int dedupeWindow,
        String subjectPrefix,
        QueryHints query) {

    /** Resend's batch endpoint takes at most 100 e-mails. */
    public static final int MAX_BATCH_EMAILS = 100;

    /** Resend's free plan: 100 e-mails a day (https://resend.com/docs/knowledge-base/account-quotas-and-limits). */
    public static final int RESEND_FREE_DAILY = 100;
    /** Resend's free plan: 3,000 e-mails a month. */
    public static final int RESEND_FREE_MONTHLY = 3000;

    /**
     * @param bigqueryTable table the BigQuery query reads, e.g. {@code project.dataset.events}
     * @param archivePath   where DuckDB reads the archive, e.g. {@code data/archive/events} or {@code s3://bucket/events}
     */
    public record QueryHints(String bigqueryTable, String archivePath) {}

    public AlertSettings {
        Objects.requireNonNull(rules, "rules");
        recipients = List.copyOf(recipients);
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(digestWait, "digestWait");
        Objects.requireNonNull(query, "query");
        List<String> problems = new ArrayList<>();
        if (dailyCap < 1 || monthlyCap < 1 || criticalReserve < 0) {
            problems.add("budget caps must be positive and the critical reserve not negative");
        }
        if (recipients.isEmpty()) {
            problems.add("fanout.alerts.recipients is empty: the digest (and rules without recipients) need it");
        }
        // Fields are assigned only after the compact constructor: use the parameters, not the accessors.
        int normalRoom = dailyCap - criticalReserve - recipients.size();
        if (normalRoom < 1) {
            problems.add("budget: daily " + dailyCap + " leaves nothing for normal rules after the critical reserve "
                    + criticalReserve + " and the digest's " + recipients.size() + " recipient(s)");
        }
        if (monthlyCap < dailyCap) {
            problems.add("budget: the monthly cap " + monthlyCap + " is below the daily cap " + dailyCap);
        }
        for (Rule r : rules.rules()) {
            int limit = r.priority() == Priority.CRITICAL ? dailyCap : normalRoom;
            if (r.recipients().size() > limit) {
                problems.add("rule '" + r.name() + "' has " + r.recipients().size() + " recipients but a " + r.priority().wireName()
                        + " e-mail may spend at most " + limit + " units a day: it could never be sent");
            }
        }
        if (maxGroups < 1 || dedupeWindow < 0) {
            problems.add("max-groups must be positive and the dedupe window not negative");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("alert settings: " + String.join("; ", problems));
        }
    }

    /** Units per day normal rules may spend: the cap less the critical reserve and one digest. */
    public int normalLimit(int cap) {
        return cap - criticalReserve - recipients.size();
    }

    /** Units per day a digest may bring the total to: the cap less the critical reserve. */
    public int digestLimit(int cap) {
        return cap - criticalReserve;
    }
}
