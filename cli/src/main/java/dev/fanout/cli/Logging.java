package dev.fanout.cli;

import java.time.Instant;
import java.util.Locale;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Library logging (AWS SDK, gRPC, the Fanout libraries' JBoss Logging) for a command-line tool:
 * warnings and errors only, one line each on stderr, so stdout stays clean for data. Set
 * {@code FANOUT_LOG_LEVEL=info} or {@code debug} for more.
 */
public final class Logging {
    private Logging() {}

    private static volatile Level level = Level.WARNING;

    public static void configure() {
        // Must happen before anything touches java.util.logging: routes JBoss Logging and slf4j
        // (AWS SDK) through one manager; the wrapper and the job image pass the same flag.
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", "org.jboss.logmanager.LogManager");
        }
        String configured = System.getenv("FANOUT_LOG_LEVEL");
        level = parse(configured == null ? "warning" : configured);
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        Handler h = new ConsoleHandler();
        h.setLevel(Level.ALL);
        h.setFormatter(new OneLine());
        root.addHandler(h);
        root.setLevel(level);
        if (level.intValue() < Level.WARNING.intValue()) {
            // Even at debug, the transport layers' chatter buries everything else.
            Logger.getLogger("io.grpc.netty").setLevel(Level.INFO);
            Logger.getLogger("io.netty").setLevel(Level.INFO);
            Logger.getLogger("org.apache.http").setLevel(Level.INFO);
        }
    }

    /** Whether stack traces should be printed with errors ({@code FANOUT_LOG_LEVEL=debug}). */
    public static boolean verbose() {
        return level.intValue() <= Level.FINE.intValue();
    }

    static Level parse(String s) {
        switch (s.strip().toLowerCase(Locale.ROOT)) {
            case "debug":
            case "fine":
                return Level.FINE;
            case "trace":
            case "all":
                return Level.ALL;
            case "info":
                return Level.INFO;
            case "error":
            case "severe":
                return Level.SEVERE;
            default:
                return Level.WARNING;
        }
    }

    /** {@code 2026-11-23T07:00:00Z WARN logger: message}. */
    private static final class OneLine extends Formatter {
        @Override
        public String format(LogRecord r) {
            StringBuilder sb = new StringBuilder(160);
            sb.append(Instant.ofEpochMilli(r.getMillis())).append(' ')
                    .append(r.getLevel().intValue() >= Level.SEVERE.intValue() ? "ERROR"
                            : r.getLevel().intValue() >= Level.WARNING.intValue() ? "WARN"
                            : r.getLevel().intValue() >= Level.INFO.intValue() ? "INFO" : "DEBUG")
                    .append(' ').append(shortName(r.getLoggerName())).append(": ").append(formatMessage(r))
                    .append(System.lineSeparator());
            if (r.getThrown() != null && verbose()) {
                java.io.StringWriter w = new java.io.StringWriter();
                r.getThrown().printStackTrace(new java.io.PrintWriter(w));
                sb.append(w);
            }
            return sb.toString();
        }

        private static String shortName(String name) {
            if (name == null) {
                return "";
            }
            int dot = name.lastIndexOf('.');
            return dot < 0 ? name : name.substring(dot + 1);
        }
    }
}
