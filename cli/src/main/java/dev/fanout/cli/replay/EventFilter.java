package dev.fanout.cli.replay;

import dev.fanout.events.Envelope;
import dev.fanout.events.Severity;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which archived events a replay sends: event time in {@code [from, to)} exactly (partitions only
 * prune), and every given filter (values of one filter are alternatives).
 */
public record EventFilter(
        Instant from,
        Instant to,
        Set<String> hosts,
        Set<String> sourcetypes,
        Set<String> sources,
        Set<String> indexes,
        Severity minSeverity,
        Pattern grep,
        List<WherePredicate> where) {

    public boolean test(Envelope e) {
        Instant t = e.time();
        if (t.isBefore(from) || !t.isBefore(to)) {
            return false;
        }
        if (!hosts.isEmpty() && !hosts.contains(e.host())) {
            return false;
        }
        if (!sourcetypes.isEmpty() && !sourcetypes.contains(e.sourcetype())) {
            return false;
        }
        if (!sources.isEmpty() && !sources.contains(e.source())) {
            return false;
        }
        if (!indexes.isEmpty() && !indexes.contains(e.index())) {
            return false;
        }
        if (minSeverity != null && e.severity().code() > minSeverity.code()) {
            return false;
        }
        if (grep != null && (e.raw() == null || !grep.matcher(e.raw()).find())) {
            return false;
        }
        for (WherePredicate w : where) {
            if (!w.test(e.fields())) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@link #test} needs only an envelope's time and severity (no host, text or field filters). */
    public boolean needsOnlyHeader() {
        return hosts.isEmpty() && sourcetypes.isEmpty() && sources.isEmpty() && indexes.isEmpty() && grep == null
                && where.isEmpty();
    }

    /** The filters other than the time range, as one canonical text (stored in the checkpoint). */
    public String describeFilters() {
        List<String> parts = new ArrayList<>();
        if (!hosts.isEmpty()) {
            parts.add("host=" + new java.util.TreeSet<>(hosts));
        }
        if (!sourcetypes.isEmpty()) {
            parts.add("sourcetype=" + new java.util.TreeSet<>(sourcetypes));
        }
        if (!sources.isEmpty()) {
            parts.add("event-source=" + new java.util.TreeSet<>(sources));
        }
        if (!indexes.isEmpty()) {
            parts.add("index=" + new java.util.TreeSet<>(indexes));
        }
        if (minSeverity != null) {
            parts.add("min-severity=" + minSeverity.wireName());
        }
        if (grep != null) {
            parts.add("grep=" + grep.pattern());
        }
        for (WherePredicate w : where) {
            parts.add("where=" + w);
        }
        return parts.isEmpty() ? "none" : String.join(" ", parts);
    }

    public EventFilter withRange(Instant newFrom, Instant newTo) {
        return new EventFilter(newFrom, newTo, hosts, sourcetypes, sources, indexes, minSeverity, grep, where);
    }
}
