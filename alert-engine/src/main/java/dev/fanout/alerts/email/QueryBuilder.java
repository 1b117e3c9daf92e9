package dev.fanout.alerts.email;

import dev.fanout.alerts.engine.AlertSettings;
import dev.fanout.alerts.rules.GroupField;
import dev.fanout.alerts.rules.Rule;
import dev.fanout.alerts.state.GroupState;
import dev.fanout.alerts.template.MessageTemplate;
import dev.fanout.events.Severity;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;


/**
 * The ready-made queries of an e-mail: every event of the group's window, in BigQuery (the
 * {@code events} table) and in DuckDB (straight from the gzip NDJSON archive). Columns are the
 * envelope's (docs/event-contract.md); the template becomes a regular expression on {@code raw}.
 */
final class QueryBuilder {

    /** The window is widened by this much on both sides: event times are rounded in e-mails. */
    private static final long SLACK_MILLIS = 1000;

    private final AlertSettings.QueryHints hints;

    QueryBuilder(AlertSettings.QueryHints hints) {
        this.hints = hints;
    }

    String bigquery(GroupState g, Rule rule) {
        List<String> where = new ArrayList<>();
        where.add("`time` BETWEEN TIMESTAMP '" + from(g) + "' AND TIMESTAMP '" + to(g) + "'");
        where.add("severity IN (" + severities(rule) + ")");
        conditions(g, rule, where, true);
        return "SELECT `time`, host, sourcetype, severity, raw FROM `" + hints.bigqueryTable() + "` WHERE "
                + String.join(" AND ", where) + " ORDER BY `time`";
    }

    String duckdb(GroupState g, Rule rule) {
        List<String> where = new ArrayList<>();
        where.add("\"time\" BETWEEN TIMESTAMP '" + from(g).replace('T', ' ').replace("Z", "") + "' AND TIMESTAMP '"
                + to(g).replace('T', ' ').replace("Z", "") + "'");
        where.add("severity IN (" + severities(rule) + ")");
        conditions(g, rule, where, false);
        String fromDay = from(g).substring(0, 10);
        String toDay = to(g).substring(0, 10);
        String dt = fromDay.equals(toDay) ? "dt=" + fromDay : "dt=*";
        return "SELECT \"time\", host, sourcetype, severity, raw FROM read_json_auto('" + hints.archivePath() + "/" + dt
                + "/hr=*/*.ndjson.gz') WHERE " + String.join(" AND ", where) + " ORDER BY \"time\"";
    }

    private static void conditions(GroupState g, Rule rule, List<String> where, boolean bigquery) {
        if (g.overflow) {
            return;
        }
        for (GroupField f : rule.groupBy()) {
            String v = g.labels.get(f.name());
            if (v == null) {
                continue;
            }
            switch (f.kind()) {
                case HOST, SOURCE, SOURCETYPE, INDEX -> {
                    String col = bigquery ? "`" + f.name() + "`" : "\"" + f.name() + "\"";
                    where.add(v.isEmpty() ? col + " IS NULL" : col + " = " + literal(v));
                }
                case SEVERITY -> where.add("severity = " + literal(v));
                case TEMPLATE -> {
                    String re = MessageTemplate.toRegex(v);
                    where.add(bigquery ? "REGEXP_CONTAINS(raw, " + literal(re) + ")" : "regexp_matches(raw, " + literal(re) + ")");
                }
                case FIELD -> {
                    String path = jsonPath(f.name());
                    where.add((bigquery ? "JSON_VALUE(fields, " : "json_extract_string(to_json(fields), ") + literal(path) + ") = "
                            + literal(v));
                }
            }
        }
    }

    private static String severities(Rule rule) {
        List<String> s = new ArrayList<>();
        for (Severity sev : Severity.values()) {
            if (sev.code() <= rule.minSeverity().code()) {
                s.add("'" + sev.wireName() + "'");
            }
        }
        return String.join(", ", s);
    }

    /** A SQL string literal that both engines read the same: quotes doubled, backslashes as is. */
    static String literal(String v) {
        return "'" + v.replace("'", "''") + "'";
    }

    /** JSON pointer {@code /a/b} → JSONPath {@code $.a.b} (segments quoted when needed). */
    static String jsonPath(String pointer) {
        StringBuilder b = new StringBuilder("$");
        for (String seg : pointer.substring(1).split("/", -1)) {
            String s = seg.replace("~1", "/").replace("~0", "~");
            if (s.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                b.append('.').append(s);
            } else if (s.matches("[0-9]+")) {
                b.append('[').append(s).append(']');
            } else {
                b.append(".\"").append(s.replace("\"", "\\\"")).append('"');
            }
        }
        return b.toString();
    }

    private static String from(GroupState g) {
        return Instant.ofEpochMilli(g.pendingFirst - SLACK_MILLIS).toString();
    }

    private static String to(GroupState g) {
        return Instant.ofEpochMilli(g.pendingLast + SLACK_MILLIS).toString();
    }

}
