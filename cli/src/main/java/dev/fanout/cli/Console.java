package dev.fanout.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.events.EnvelopeCodec;
import java.io.PrintWriter;
import java.util.Map;

/**
 * What a command tells its user, on stderr (stdout is for data). Plain lines on a terminal or in a
 * pipe; one JSON object per line with {@code severity} and {@code message} when running as a Cloud
 * Run Job ({@code CLOUD_RUN_JOB} is set), which Cloud Logging parses into structured entries.
 */
public final class Console {

    public enum Format { TEXT, JSON }

    private final PrintWriter err;
    private final Format format;

    public Console(PrintWriter err, Format format) {
        this.err = err;
        this.format = format;
    }

    /** JSON when running as a Cloud Run Job, text otherwise. */
    public static Format defaultFormat(Map<String, String> env) {
        return env.containsKey("CLOUD_RUN_JOB") ? Format.JSON : Format.TEXT;
    }

    public Format format() {
        return format;
    }

    public PrintWriter writer() {
        return err;
    }

    public void info(String message) {
        emit("INFO", message, null);
    }

    public void warn(String message) {
        emit("WARNING", message, null);
    }

    public void error(String message) {
        emit("ERROR", message, null);
    }

    /** A message with structured fields (JSON mode adds them to the entry; text mode prints only the message). */
    public void event(String severity, String message, Map<String, ?> fields) {
        emit(severity, message, fields);
    }

    /** Raw text without newline handling (progress bar redraws); ignored in JSON mode. */
    public synchronized void raw(String text) {
        if (format == Format.TEXT) {
            err.print(text);
            err.flush();
        }
    }

    private synchronized void emit(String severity, String message, Map<String, ?> fields) {
        if (format == Format.JSON) {
            ObjectNode n = EnvelopeCodec.mapper().createObjectNode();
            n.put("severity", severity);
            n.put("message", message);
            if (fields != null) {
                fields.forEach((k, v) -> n.set(k, EnvelopeCodec.mapper().valueToTree(v)));
            }
            err.println(n.toString());
        } else {
            String prefix = switch (severity) {
                case "WARNING" -> "warning: ";
                case "ERROR" -> "error: ";
                default -> "";
            };
            err.println(prefix + message);
        }
        err.flush();
    }
}
