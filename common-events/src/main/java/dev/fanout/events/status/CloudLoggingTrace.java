package dev.fanout.events.status;

import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * Puts a log line's trace where Cloud Logging looks for it. Quarkus 3.33's {@code log-format=gcp}
 * writes {@code "trace":"projects/<quarkus.application.name>/traces/<id>"}, {@code "spanId"} and
 * {@code "traceSampled":"true"}: the names are not Cloud Logging's special fields and the
 * project is the application's name, so no line was ever correlated with its trace. The names are
 * fixed in Quarkus' formatter (they are its own additional fields, which
 * {@code quarkus.log.console.json.key-overrides} does not rename), so this formatter delegates to
 * it and rewrites those three fields of each line into {@code logging.googleapis.com/trace} =
 * {@code projects/<GCP project>/traces/<id>}, {@code logging.googleapis.com/spanId} and a boolean
 * {@code logging.googleapis.com/trace_sampled}.
 *
 * <p>Only a key can match: inside a JSON string every quote is escaped, so {@code "trace":"}
 * never occurs in a message or an exception. Lines without a trace pass unchanged.
 */
public final class CloudLoggingTrace extends Formatter {

    static final String TRACE = "\"trace\":\"projects/";
    static final String SPAN = "\"spanId\":\"";
    static final String SAMPLED = "\"traceSampled\":\"";

    private final Formatter delegate;
    private final String project;

    /** @param project the GCP project of trace ids; null: severities mapped, traces left as they are */
    public CloudLoggingTrace(Formatter delegate, String project) {
        this.delegate = delegate;
        this.project = project;
    }

    public Formatter delegate() {
        return delegate;
    }

    @Override
    public String format(LogRecord record) {
        String line = severity(delegate.format(record));
        return project == null ? line : rewrite(line, project);
    }

    static final String SEVERITY = "\"severity\":\"";

    /**
     * Cloud Logging reads {@code severity} as its LogSeverity enum (DEBUG, INFO, NOTICE, WARNING,
     * ERROR, CRITICAL, …) and asks writers to map other names to it; the formatter writes JBoss and
     * java.util.logging level names, so a {@code WARN} line was not a warning there. The first
     * {@code "severity":"} is the level's key: it is written before the MDC, and quotes inside
     * strings are escaped.
     */
    static String severity(String line) {
        int s = line.indexOf(SEVERITY);
        if (s < 0) {
            return line;
        }
        int from = s + SEVERITY.length();
        int end = line.indexOf('"', from);
        if (end < 0) {
            return line;
        }
        String cloud = cloudSeverity(line.substring(from, end));
        return cloud == null ? line : line.substring(0, from) + cloud + line.substring(end);
    }

    /** The Cloud Logging name of a level name, or null when it already is one. */
    static String cloudSeverity(String level) {
        return switch (level) {
            case "WARN" -> "WARNING";
            case "TRACE", "FINE", "FINER", "FINEST", "ALL" -> "DEBUG";
            case "CONFIG" -> "INFO";
            case "SEVERE" -> "ERROR";
            case "FATAL" -> "CRITICAL";
            default -> null;
        };
    }

    @Override
    public String getHead(java.util.logging.Handler h) {
        return delegate.getHead(h);
    }

    @Override
    public String getTail(java.util.logging.Handler h) {
        return delegate.getTail(h);
    }

    /** The three fields may come in any order among themselves (Quarkus keeps them in a hash map). */
    static String rewrite(String line, String project) {
        int t = line.indexOf(TRACE);
        if (t < 0) {
            return line;
        }
        int traces = line.indexOf("/traces/", t + TRACE.length());
        if (traces < 0) {
            return line;
        }
        String out = line.substring(0, t) + "\"logging.googleapis.com/trace\":\"projects/" + project + line.substring(traces);
        // The last occurrence: Quarkus writes these fields after everything else, and the MDC
        // object earlier in the line has a "spanId" key of its own.
        int span = out.lastIndexOf(SPAN);
        if (span >= 0) {
            out = out.substring(0, span) + "\"logging.googleapis.com/spanId\":\"" + out.substring(span + SPAN.length());
        }
        int s = out.lastIndexOf(SAMPLED);
        if (s >= 0) {
            int end = out.indexOf('"', s + SAMPLED.length());
            if (end > 0) {
                boolean sampled = "true".equals(out.substring(s + SAMPLED.length(), end));
                out = out.substring(0, s) + "\"logging.googleapis.com/trace_sampled\":" + sampled + out.substring(end + 1);
            }
        }
        return out;
    }
}
