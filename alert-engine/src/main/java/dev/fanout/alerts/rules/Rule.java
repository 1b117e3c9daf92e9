package dev.fanout.alerts.rules;

import dev.fanout.events.Envelope;
import dev.fanout.events.Severity;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One compiled alert rule (see docs/alerts.md for the file format).
 *
 * @param name            unique, stable name: part of every fingerprint and Idempotency-Key
 * @param minSeverity     events at least this severe match ({@code error} matches error, critical, alert, emergency)
 * @param host            host matcher, or null for any
 * @param source          source matcher, or null for any
 * @param sourcetype      sourcetype matcher, or null for any
 * @param index           index matcher, or null for any
 * @param fields          conditions on {@code fields}, all must hold
 * @param raw             regex found in {@code raw}, or null for any
 * @param recipients      e-mail recipients (each counts against the budget)
 * @param groupBy         what identifies "the same problem"
 * @param priority        normal or critical (may use the critical reserve)
 * @param includeReplayed whether events published by a replay count (default false)
 * @param continueMatching whether later rules are tried after this one matched (default false: first match wins)
 * @param timers          group-wait, group-interval, repeat-interval
 */
public record Rule(
        String name,
        Severity minSeverity,
        StringMatcher host,
        StringMatcher source,
        StringMatcher sourcetype,
        StringMatcher index,
        List<FieldPredicate> fields,
        Pattern raw,
        List<String> recipients,
        List<GroupField> groupBy,
        Priority priority,
        boolean includeReplayed,
        boolean continueMatching,
        Timers timers) {

    /** Name of the built-in rule used when no rules file is configured. */
    public static final String DEFAULT_NAME = "default";

    public Rule {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(minSeverity, "minSeverity");
        fields = List.copyOf(fields);
        recipients = List.copyOf(recipients);
        groupBy = List.copyOf(groupBy);
        Objects.requireNonNull(priority, "priority");
        Objects.requireNonNull(timers, "timers");
    }

    /** The built-in rule: severity ≥ error, grouped by host + sourcetype + message template. */
    public static Rule defaultRule(List<String> recipients, Timers timers) {
        return new Rule(DEFAULT_NAME, Severity.ERROR, null, null, null, null, List.of(), null, recipients,
                List.of(GroupField.parse("host"), GroupField.parse("sourcetype"), GroupField.parse("template")),
                Priority.NORMAL, false, false, timers);
    }

    /** Whether the event matches every condition of this rule. Cheapest checks first. */
    public boolean matches(Envelope e, boolean replayed) {
        if (e.severity().code() > minSeverity.code()) {
            return false;
        }
        if (replayed && !includeReplayed) {
            return false;
        }
        if (host != null && !host.matches(e.host())) {
            return false;
        }
        if (sourcetype != null && !sourcetype.matches(e.sourcetype())) {
            return false;
        }
        if (source != null && !source.matches(e.source())) {
            return false;
        }
        if (index != null && !index.matches(e.index())) {
            return false;
        }
        for (FieldPredicate p : fields) {
            if (!p.test(e.fields())) {
                return false;
            }
        }
        return raw == null || (e.raw() != null && raw.matcher(e.raw()).find());
    }

    /** Whether {@code template} is among the group-by fields (then a group holds one template). */
    public boolean groupsByTemplate() {
        for (GroupField f : groupBy) {
            if (f.kind() == GroupField.Kind.TEMPLATE) {
                return true;
            }
        }
        return false;
    }
}
