package dev.fanout.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Derives an event's {@link Severity} from the first usable field, in this order:
 *
 * <ol>
 *   <li>{@code severity}</li>
 *   <li>{@code level}</li>
 *   <li>{@code log.level} (a dotted key), then {@code log} → {@code level} (nested, ECS style)</li>
 *   <li>{@code loglevel}, {@code log_level}</li>
 *   <li>{@code severity_text}, {@code severityText} (OpenTelemetry)</li>
 *   <li>{@code syslog_severity}, {@code severityName}</li>
 *   <li>{@code priority}, {@code pri} — a number here is a syslog PRI (facility × 8 + severity),
 *       so the severity is {@code pri & 7}; journald's 0–7 {@code PRIORITY} maps the same way</li>
 * </ol>
 *
 * A field is usable when its value is a known name or alias (case-insensitive, trimmed, see
 * {@link #ALIASES}), or a number 0–7 (as JSON number or numeric string). In {@code level},
 * {@code loglevel} and {@code log_level}, the pino/bunyan numbers 10–60 are also understood.
 * A present but unusable field is skipped, and the next one is tried. Default {@link Severity#INFO}.
 */
public final class SeverityNormalizer {

    /** Top-level field names consulted, in order (the nested {@code log.level} is tried right after {@code log.level}). */
    public static final List<String> FIELDS = List.of(
            "severity", "level", "log.level", "loglevel", "log_level", "severity_text", "severityText",
            "syslog_severity", "severityName", "priority", "pri");

    /** Accepted names and aliases (lower case) → severity. */
    public static final Map<String, Severity> ALIASES;

    static {
        Map<String, Severity> m = new HashMap<>();
        for (Severity s : Severity.values()) {
            m.put(s.wireName(), s);
        }
        m.put("emerg", Severity.EMERGENCY);
        m.put("panic", Severity.EMERGENCY);
        m.put("crit", Severity.CRITICAL);
        m.put("fatal", Severity.CRITICAL);
        m.put("err", Severity.ERROR);
        m.put("severe", Severity.ERROR);
        m.put("warn", Severity.WARNING);
        m.put("information", Severity.INFO);
        m.put("informational", Severity.INFO);
        m.put("trace", Severity.DEBUG);
        m.put("verbose", Severity.DEBUG);
        m.put("fine", Severity.DEBUG);
        m.put("finer", Severity.DEBUG);
        m.put("finest", Severity.DEBUG);
        ALIASES = Map.copyOf(m);
    }

    private SeverityNormalizer() {}

    public static Severity normalize(ObjectNode event) {
        Severity s;
        if ((s = named(event.get("severity"))) != null) {
            return s;
        }
        if ((s = levelField(event.get("level"))) != null) {
            return s;
        }
        if ((s = named(event.get("log.level"))) != null) {
            return s;
        }
        JsonNode log = event.get("log");
        if (log != null && log.isObject() && (s = named(log.get("level"))) != null) {
            return s;
        }
        if ((s = levelField(event.get("loglevel"))) != null || (s = levelField(event.get("log_level"))) != null) {
            return s;
        }
        if ((s = named(event.get("severity_text"))) != null || (s = named(event.get("severityText"))) != null) {
            return s;
        }
        if ((s = named(event.get("syslog_severity"))) != null || (s = named(event.get("severityName"))) != null) {
            return s;
        }
        if ((s = pri(event.get("priority"))) != null || (s = pri(event.get("pri"))) != null) {
            return s;
        }
        return Severity.INFO;
    }

    /** Name/alias, or 0–7. */
    static Severity named(JsonNode v) {
        if (v == null) {
            return null;
        }
        if (v.isTextual()) {
            String t = v.textValue().trim();
            // Values are usually lower case already: look up as is first, no lower-case copy.
            Severity s = ALIASES.get(t);
            if (s == null) {
                s = ALIASES.get(t.toLowerCase(Locale.ROOT));
            }
            if (s != null) {
                return s;
            }
            long n = integer(t);
            return n >= 0 && n <= 7 ? Severity.fromCode((int) n) : null;
        }
        if (v.isIntegralNumber()) {
            long n = v.asLong();
            return n >= 0 && n <= 7 ? Severity.fromCode((int) n) : null;
        }
        return null;
    }

    /** As {@link #named}, plus pino/bunyan numeric levels. */
    private static Severity levelField(JsonNode v) {
        Severity s = named(v);
        if (s != null || v == null) {
            return s;
        }
        long n = v.isIntegralNumber() ? v.asLong() : v.isTextual() ? integer(v.textValue().trim()) : -1;
        if (n < 10 || n > 60 || n % 10 != 0) {
            return null;
        }
        // pino/bunyan: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal.
        return n >= 60 ? Severity.CRITICAL : n == 50 ? Severity.ERROR : n == 40 ? Severity.WARNING
                : n == 30 ? Severity.INFO : Severity.DEBUG;
    }

    /** Syslog PRI: number (or numeric string) 0–191 → {@code pri & 7}; names are accepted too. */
    private static Severity pri(JsonNode v) {
        if (v == null) {
            return null;
        }
        long n = v.isIntegralNumber() ? v.asLong() : v.isTextual() ? integer(v.textValue().trim()) : -1;
        if (n >= 0 && n <= 191) {
            return Severity.fromCode((int) (n & 7));
        }
        return v.isTextual() ? named(v) : null;
    }

    /** Non-negative decimal integer of at most 3 digits, else -1. */
    private static long integer(String t) {
        int len = t.length();
        if (len == 0 || len > 3) {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < len; i++) {
            char c = t.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }
}
