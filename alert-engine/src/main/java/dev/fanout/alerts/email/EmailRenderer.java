package dev.fanout.alerts.email;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.alerts.engine.AlertSettings;
import dev.fanout.alerts.rules.Rule;
import dev.fanout.alerts.state.Delivery.OutgoingEmail;
import dev.fanout.alerts.state.GroupState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders the e-mails as Resend {@code POST /emails} bodies: {@code from}, {@code to},
 * {@code subject}, {@code text}, a simple {@code html}, {@code headers} and {@code tags}
 * (https://resend.com/docs/api-reference/emails/send-email). Deterministic for a given state, but
 * the body is rendered once and stored, so what is sent never depends on rendering again.
 */
public final class EmailRenderer {

    /** Resend allows 256 characters of subject in practice; mail clients show far fewer. */
    public static final int MAX_SUBJECT_CHARS = 200;
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final AlertSettings settings;
    private final QueryBuilder queries;

    public EmailRenderer(AlertSettings settings) {
        this.settings = settings;
        this.queries = new QueryBuilder(settings.query());
    }

    /** The e-mail of one group's window. */
    public OutgoingEmail alert(GroupState g, Rule rule, String key, long now) {
        String host = topHosts(g, 1);
        String subject = settings.subjectPrefix() + (rule.priority() == dev.fanout.alerts.rules.Priority.CRITICAL ? " CRITICAL" : "")
                + " " + rule.name() + ": " + count(g.pending) + " × " + shortTemplate(g) + (host.isEmpty() ? "" : " on " + host);
        String bq = queries.bigquery(g, rule);
        String duck = queries.duckdb(g, rule);
        StringBuilder t = new StringBuilder(2048);
        t.append("Rule:        ").append(rule.name()).append(" (").append(rule.priority().wireName()).append(")\n");
        t.append("Group:       ").append(labels(g)).append('\n');
        t.append("Events:      ").append(count(g.pending)).append(" since ").append(iso(g.windowStart))
                .append(" (").append(count(g.total)).append(" since the group appeared ").append(iso(g.createdAt)).append(")\n");
        t.append("First seen:  ").append(iso(g.pendingFirst)).append('\n');
        t.append("Last seen:   ").append(iso(g.pendingLast)).append('\n');
        t.append("Top hosts:   ").append(topHosts(g, 5)).append("\n\n");
        t.append("Samples:\n");
        for (GroupState.Sample s : g.samples) {
            t.append("  ").append(iso(s.time)).append(' ').append(nz(s.host)).append(' ').append(nz(s.severity))
                    .append("  ").append(oneLine(s.raw)).append("\n");
        }
        t.append("\nSee them all:\n  BigQuery:\n    ").append(bq).append("\n  DuckDB (archive):\n    ").append(duck).append('\n');
        t.append("\nFingerprint ").append(g.fingerprint).append(", key ").append(key)
                .append(". Next e-mail for this group at the earliest after ")
                .append(human(rule.timers().groupInterval())).append(" if new kinds of events arrive, else after ")
                .append(human(rule.timers().repeatInterval())).append(".\n");

        StringBuilder h = new StringBuilder(4096);
        h.append("<h2>").append(esc(rule.name())).append(": ").append(count(g.pending)).append(" events</h2>\n");
        h.append("<table>\n");
        row(h, "Rule", rule.name() + " (" + rule.priority().wireName() + ")");
        row(h, "Group", labels(g));
        row(h, "Events", count(g.pending) + " since " + iso(g.windowStart) + " (" + count(g.total) + " in all)");
        row(h, "First seen", iso(g.pendingFirst));
        row(h, "Last seen", iso(g.pendingLast));
        row(h, "Top hosts", topHosts(g, 5));
        h.append("</table>\n<h3>Samples</h3>\n<pre>");
        for (GroupState.Sample s : g.samples) {
            h.append(esc(iso(s.time) + " " + nz(s.host) + " " + nz(s.severity) + "  " + oneLine(s.raw))).append('\n');
        }
        h.append("</pre>\n<h3>See them all</h3>\n<p>BigQuery:</p>\n<pre>").append(esc(bq)).append("</pre>\n<p>DuckDB (archive):</p>\n<pre>")
                .append(esc(duck)).append("</pre>\n<p><small>Fingerprint ").append(esc(g.fingerprint)).append(", key ").append(esc(key))
                .append("</small></p>\n");

        OutgoingEmail out = new OutgoingEmail();
        out.key = key;
        out.rule = rule.name();
        out.fingerprints.add(g.fingerprint);
        out.recipients = rule.recipients().size();
        out.body = body(rule.recipients(), subject, t.toString(), h.toString(), "alert", rule.name(), g.fingerprint);
        return out;
    }

    /** The digest of every group the budget held back. */
    public OutgoingEmail digest(List<GroupState> held, String key, long now, int unitsLeftToday) {
        long events = 0;
        for (GroupState g : held) {
            events += g.pending;
        }
        String subject = settings.subjectPrefix() + " digest: " + held.size() + " alert group" + (held.size() == 1 ? "" : "s")
                + " held back (" + count(events) + " events) — e-mail budget low";
        StringBuilder t = new StringBuilder(256 + held.size() * 160);
        t.append("The e-mail budget (").append(settings.dailyCap()).append(" a day, ").append(settings.monthlyCap())
                .append(" a month, ").append(settings.criticalReserve()).append(" a day kept for critical rules) ran low, so these groups\n")
                .append("were not e-mailed one by one. This digest reports them; each one e-mails again under the usual timers.\n")
                .append("Units left today after this digest: ").append(unitsLeftToday).append(".\n\n");
        StringBuilder h = new StringBuilder(512 + held.size() * 300);
        h.append("<h2>").append(held.size()).append(" alert groups held back</h2>\n<p>")
                .append(esc("The e-mail budget ran low (" + settings.dailyCap() + "/day, " + settings.monthlyCap() + "/month, "
                        + settings.criticalReserve() + "/day reserved for critical rules). Units left today: " + unitsLeftToday + "."))
                .append("</p>\n<table>\n<tr><th>rule</th><th>events</th><th>first seen</th><th>last seen</th><th>group</th></tr>\n");
        for (GroupState g : held) {
            t.append("- ").append(g.rule).append(": ").append(count(g.pending)).append(" events ").append(iso(g.pendingFirst))
                    .append(" .. ").append(iso(g.pendingLast)).append("  ").append(labels(g)).append('\n');
            h.append("<tr><td>").append(esc(g.rule)).append("</td><td>").append(count(g.pending)).append("</td><td>")
                    .append(iso(g.pendingFirst)).append("</td><td>").append(iso(g.pendingLast)).append("</td><td>")
                    .append(esc(labels(g))).append("</td></tr>\n");
        }
        h.append("</table>\n<p><small>key ").append(esc(key)).append("</small></p>\n");
        t.append("\nkey ").append(key).append('\n');
        OutgoingEmail out = new OutgoingEmail();
        out.key = key;
        out.rule = "digest";
        for (GroupState g : held) {
            out.fingerprints.add(g.fingerprint);
        }
        out.recipients = settings.recipients().size();
        out.body = body(settings.recipients(), subject, t.toString(), h.toString(), "digest", "digest", null);
        return out;
    }

    private ObjectNode body(List<String> to, String subject, String text, String html, String kind, String rule, String fingerprint) {
        ObjectNode b = JSON.objectNode();
        b.put("from", settings.from());
        ArrayNode toNode = b.putArray("to");
        to.forEach(toNode::add);
        b.put("subject", subject.length() > MAX_SUBJECT_CHARS ? subject.substring(0, MAX_SUBJECT_CHARS - 1) + "…" : subject);
        b.put("text", text);
        b.put("html", "<!doctype html>\n<html><body style=\"font-family:sans-serif\">\n" + html + "</body></html>\n");
        if (fingerprint != null) {
            // Mail clients thread by subject; a per-group reference keeps one thread per group.
            b.putObject("headers").put("X-Entity-Ref-ID", fingerprint);
        }
        ArrayNode tags = b.putArray("tags");
        tags.addObject().put("name", "kind").put("value", kind);
        tags.addObject().put("name", "rule").put("value", rule);
        return b;
    }

    private static void row(StringBuilder h, String name, String value) {
        h.append("<tr><th align=\"left\">").append(esc(name)).append("</th><td>").append(esc(value)).append("</td></tr>\n");
    }

    static String labels(GroupState g) {
        if (g.overflow) {
            return "(groups beyond fanout.alerts.max-groups, merged)";
        }
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, String> e : g.labels.entrySet()) {
            parts.add(e.getKey() + "=" + (e.getValue().isEmpty() ? "(none)" : e.getValue()));
        }
        return String.join(", ", parts);
    }

    private static String topHosts(GroupState g, int n) {
        List<Map.Entry<String, Long>> hosts = new ArrayList<>(g.hosts.entrySet());
        hosts.sort(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()));
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < Math.min(n, hosts.size()); i++) {
            Map.Entry<String, Long> e = hosts.get(i);
            String name = e.getKey().isEmpty() ? "(no host)" : e.getKey();
            parts.add(n == 1 ? name : name + " (" + count(e.getValue()) + ")");
        }
        return String.join(", ", parts);
    }

    private static String shortTemplate(GroupState g) {
        String t = g.overflow ? "many groups" : g.template == null ? "" : g.template;
        return t.length() > 80 ? t.substring(0, 79) + "…" : t;
    }

    static String iso(long millis) {
        return millis == 0 ? "-" : Instant.ofEpochMilli(millis).toString();
    }

    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static String nz(String s) {
        return s == null ? "-" : s;
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    }

    static String human(java.time.Duration d) {
        long s = d.toSeconds();
        if (s % 3600 == 0 && s > 0) {
            return (s / 3600) + " h";
        }
        if (s % 60 == 0 && s > 0) {
            return (s / 60) + " min";
        }
        return s + " s";
    }

    public static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
