package dev.fanout.alerts.state;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything the alert sink must remember, in one small document (gzip JSON; see docs/alerts.md):
 * the groups with their timers and counts, the budget counters, the e-mails planned but not yet
 * confirmed by the provider (with their Idempotency-Keys), the digest and a window of recently
 * counted messages (so a redelivered message is not counted twice). Times are epoch milliseconds.
 * Written only with compare-and-set, so two instances never both spend one budget unit or plan one
 * e-mail twice.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class AlertState {

    public static final int SCHEMA = 1;

    public int schema = SCHEMA;
    /** Incremented by every successful save. */
    public long revision;
    /** Groups by fingerprint. */
    public Map<String, GroupState> groups = new TreeMap<>();
    public BudgetState budget = new BudgetState();
    /** E-mails planned (budget charged) and not yet confirmed, oldest first. */
    public List<Delivery> outbox = new ArrayList<>();
    public DigestState digest = new DigestState();
    /** Dedupe keys of the last messages that were counted, oldest first (bounded). */
    public List<String> recentMessages = new ArrayList<>();
    /** Running totals for status and metrics. */
    public Map<String, Long> totals = new LinkedHashMap<>();

    public void addTotal(String name, long n) {
        totals.merge(name, n, Long::sum);
    }

    public long total(String name) {
        return totals.getOrDefault(name, 0L);
    }

    /** Budget counters of the current UTC day and month, in recipients (Resend counts each To/CC/BCC). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class BudgetState {
        /** UTC day the day counters are for, {@code YYYY-MM-DD}. */
        public String day;
        public int dayUsed;
        /** Of {@link #dayUsed}, what critical rules spent. */
        public int dayCritical;
        /** UTC month the month counter is for, {@code YYYY-MM}. */
        public String month;
        public int monthUsed;
        /** After a quota answer from the provider: nothing is sent before this. 0 = not blocked. */
        public long blockedUntil;
        public String blockedReason;
    }

    /** The digest of held-back groups. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class DigestState {
        /** UTC day of {@link #sequence}. */
        public String day;
        /** Digests planned that day (part of the digest's Idempotency-Key). */
        public int sequence;
        /** When the oldest group not yet in a digest was held back; 0 = none. */
        public long firstHeldBackAt;
    }
}
