package dev.fanout.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Times on the command line: RFC 3339 ({@code 2026-11-23T07:00:00Z}, any offset), a UTC date
 * ({@code 2026-11-23} = its midnight), {@code now}, or relative to now ({@code -2h}, {@code -30m},
 * {@code -7d}, {@code -90s}, {@code -1h30m}).
 */
public final class TimeSpec {
    private TimeSpec() {}

    private static final Pattern RELATIVE = Pattern.compile("-((?:\\d+[dhms])+)");
    private static final Pattern PART = Pattern.compile("(\\d+)([dhms])");

    public static boolean isRelative(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        return s.equals("now") || RELATIVE.matcher(s).matches();
    }

    /**
     * @throws UsageException when the text is none of the accepted forms
     */
    public static Instant parse(String text, Instant now) {
        String s = text.strip();
        String lower = s.toLowerCase(Locale.ROOT);
        if (lower.equals("now")) {
            return now;
        }
        Matcher m = RELATIVE.matcher(lower);
        if (m.matches()) {
            Duration d = Duration.ZERO;
            Matcher p = PART.matcher(m.group(1));
            while (p.find()) {
                long n = Long.parseLong(p.group(1));
                d = d.plus(switch (p.group(2)) {
                    case "d" -> Duration.ofDays(n);
                    case "h" -> Duration.ofHours(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofSeconds(n);
                });
            }
            return now.minus(d);
        }
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException notRfc3339) {
            try {
                return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException notDate) {
                throw new UsageException("not a time: '" + text
                        + "' (use RFC 3339 like 2026-11-23T07:00:00Z, a date like 2026-11-23, now, or -2h / -30m / -7d)");
            }
        }
    }
}
