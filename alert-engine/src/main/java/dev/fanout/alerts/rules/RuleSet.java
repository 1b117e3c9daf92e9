package dev.fanout.alerts.rules;

import dev.fanout.events.Attributes;
import dev.fanout.events.Envelope;
import dev.fanout.events.Severity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The rules in file order. An event is tried against each rule in turn; the first that matches
 * takes it, unless that rule says {@code continue: true} (Alertmanager's routing semantics).
 */
public final class RuleSet {

    private final List<Rule> rules;
    private final Map<String, Rule> byName;
    private final String source;
    /** Least severe severity code any rule accepts: anything less severe skips all rules at once. */
    private final int loosestCode;
    private final boolean anyIncludesReplayed;

    public RuleSet(List<Rule> rules, String source) {
        if (rules.isEmpty()) {
            throw new IllegalArgumentException("a rule set needs at least one rule");
        }
        this.rules = List.copyOf(rules);
        this.source = source;
        Map<String, Rule> m = new LinkedHashMap<>();
        int loosest = 0;
        boolean replays = false;
        for (Rule r : rules) {
            replays |= r.includeReplayed();
            if (m.putIfAbsent(r.name(), r) != null) {
                throw new IllegalArgumentException("duplicate rule name " + r.name());
            }
            loosest = Math.max(loosest, r.minSeverity().code());
        }
        this.byName = m;
        this.loosestCode = loosest;
        this.anyIncludesReplayed = replays;
    }

    /** Whether some rule counts replayed events ({@code replayed: true}); by default none does. */
    public boolean anyIncludesReplayed() {
        return anyIncludesReplayed;
    }

    /**
     * Whether a message could hold an event some rule takes, judged by its attributes alone: not if
     * it is a replay and no rule counts replays, nor if its most severe event (the bridge's
     * {@code max_severity}, or {@code severity} of a one-event message) is less severe than every
     * rule's minimum. Missing or unknown attributes answer true, so the events are looked at.
     */
    public boolean mayMatch(Map<String, String> attributes) {
        if (!anyIncludesReplayed && attributes.containsKey(Attributes.REPLAY)) {
            return false;
        }
        String max = attributes.get(Attributes.MAX_SEVERITY);
        if (max == null) {
            max = attributes.get(Attributes.SEVERITY);
        }
        if (max == null) {
            return true;
        }
        try {
            return Severity.fromWire(max).code() <= loosestCode;
        } catch (IllegalArgumentException unknown) {
            return true;
        }
    }

    /** Where the rules came from, for logs: a file path or {@code built-in default}. */
    public String source() {
        return source;
    }

    public List<Rule> rules() {
        return rules;
    }

    public Optional<Rule> rule(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The least severe severity any rule can match. */
    public Severity loosest() {
        return Severity.fromCode(loosestCode);
    }

    /**
     * The rules that take {@code e}, in order; empty (no allocation) for the common case of an
     * event no rule wants.
     */
    public List<Rule> match(Envelope e, boolean replayed) {
        if (e.severity().code() > loosestCode) {
            return List.of();
        }
        List<Rule> out = null;
        for (Rule r : rules) {
            if (r.matches(e, replayed)) {
                if (!r.continueMatching()) {
                    if (out == null) {
                        return List.of(r);
                    }
                    out.add(r);
                    return out;
                }
                if (out == null) {
                    out = new ArrayList<>(2);
                }
                out.add(r);
            }
        }
        return out == null ? List.of() : out;
    }
}
