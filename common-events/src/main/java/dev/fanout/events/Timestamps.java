package dev.fanout.events;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * RFC 3339 UTC timestamps as the envelope writes them ({@code 2024-11-23T14:13:54.567Z}: the
 * fraction in groups of 3 digits, only as long as needed — the same text as
 * {@link Instant#toString()}).
 *
 * <p>Hand-rolled because {@code DateTimeFormatter} costs about as much per event as the rest of the
 * envelope serialisation; anything outside years 0001–9999 falls back to the JDK.
 */
final class Timestamps {
    private Timestamps() {}

    /** Earliest instant the fast path formats: 0001-01-01T00:00:00Z. */
    private static final long MIN_FAST = -62135596800L;
    /** First instant after the fast path: 10000-01-01T00:00:00Z. */
    private static final long MAX_FAST = 253402300800L;

    static String format(Instant t) {
        long sec = t.getEpochSecond();
        if (sec < MIN_FAST || sec >= MAX_FAST) {
            return t.toString();
        }
        byte[] b = new byte[MAX_FAST_CHARS];
        int n = formatFast(sec, t.getNano(), b);
        return new String(b, 0, n, StandardCharsets.US_ASCII);
    }

    /** Longest fast-path text: {@code yyyy-MM-ddTHH:mm:ss.nnnnnnnnnZ}. */
    static final int MAX_FAST_CHARS = 30;

    /**
     * Writes {@link #format}'s text as a JSON string without building a {@code String} (the text
     * is plain ASCII and never needs escaping).
     */
    static void write(JsonGenerator g, Instant t) throws IOException {
        long sec = t.getEpochSecond();
        if (sec < MIN_FAST || sec >= MAX_FAST) {
            g.writeString(t.toString());
            return;
        }
        byte[] b = new byte[MAX_FAST_CHARS];
        g.writeRawUTF8String(b, 0, formatFast(sec, t.getNano(), b));
    }

    /** The last formatted day; events of one request almost always share it. Immutable, so racy reads are safe. */
    private static final class Day {
        final long day;
        final byte[] ymd;

        Day(long day, byte[] ymd) {
            this.day = day;
            this.ymd = ymd;
        }
    }

    private static volatile Day lastDay = new Day(Long.MIN_VALUE, null);

    private static int formatFast(long sec, int nano, byte[] c) {
        long days = Math.floorDiv(sec, 86400L);
        int sod = (int) Math.floorMod(sec, 86400L);
        Day d = lastDay;
        if (d.day != days) {
            d = new Day(days, civil(days));
            lastDay = d;
        }
        System.arraycopy(d.ymd, 0, c, 0, 10);
        c[10] = 'T';
        two(c, 11, sod / 3600);
        c[13] = ':';
        two(c, 14, sod / 60 % 60);
        c[16] = ':';
        two(c, 17, sod % 60);
        int p = 19;
        if (nano != 0) {
            // Groups of three digits, each with constant divisors (the JIT turns those into multiplies).
            c[p++] = '.';
            three(c, p, nano / 1_000_000);
            p += 3;
            int rest = nano % 1_000_000;
            if (rest != 0) {
                three(c, p, rest / 1000);
                p += 3;
                if (rest % 1000 != 0) {
                    three(c, p, rest % 1000);
                    p += 3;
                }
            }
        }
        c[p++] = 'Z';
        return p;
    }

    private static void three(byte[] c, int at, int v) {
        c[at] = (byte) ('0' + v / 100);
        c[at + 1] = (byte) ('0' + v / 10 % 10);
        c[at + 2] = (byte) ('0' + v % 10);
    }

    /** {@code yyyy-MM-dd} of an epoch day in the fast range. */
    private static byte[] civil(long days) {
        byte[] c = new byte[10];
        // Civil-from-days (H. Hinnant), proleptic Gregorian, valid for the whole fast range.
        long z = days + 719468;
        long era = Math.floorDiv(z, 146097);
        long doe = z - era * 146097;
        long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        long y = yoe + era * 400;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        int d = (int) (doy - (153 * mp + 2) / 5 + 1);
        int m = (int) (mp < 10 ? mp + 3 : mp - 9);
        if (m <= 2) {
            y++;
        }
        int yr = (int) y;
        c[0] = (byte) ('0' + yr / 1000);
        c[1] = (byte) ('0' + yr / 100 % 10);
        c[2] = (byte) ('0' + yr / 10 % 10);
        c[3] = (byte) ('0' + yr % 10);
        c[4] = '-';
        two(c, 5, m);
        c[7] = '-';
        two(c, 8, d);
        return c;
    }

    private static void two(byte[] c, int at, int v) {
        c[at] = (byte) ('0' + v / 10);
        c[at + 1] = (byte) ('0' + v % 10);
    }

    /**
     * Parses an RFC 3339 timestamp. The canonical UTC form is parsed by hand; other offsets and
     * shapes go through {@link OffsetDateTime}.
     *
     * @throws DateTimeParseException when the text is not RFC 3339
     */
    static Instant parse(String s) {
        int n = s.length();
        if (n >= 20 && n <= 30 && s.charAt(n - 1) == 'Z' && s.charAt(4) == '-' && s.charAt(7) == '-'
                && s.charAt(10) == 'T' && s.charAt(13) == ':' && s.charAt(16) == ':') {
            int year = digits(s, 0, 4);
            int month = digits(s, 5, 2);
            int day = digits(s, 8, 2);
            int hour = digits(s, 11, 2);
            int min = digits(s, 14, 2);
            int sec = digits(s, 17, 2);
            int nano = 0;
            boolean ok = year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month)
                    && hour >= 0 && hour <= 23 && min >= 0 && min <= 59 && sec >= 0 && sec <= 59;
            if (ok && n > 20) {
                int fracLen = n - 21;
                if (s.charAt(19) != '.' || fracLen < 1 || fracLen > 9) {
                    ok = false;
                } else {
                    int f = digits(s, 20, fracLen);
                    if (f < 0) {
                        ok = false;
                    } else {
                        for (int i = fracLen; i < 9; i++) {
                            f *= 10;
                        }
                        nano = f;
                    }
                }
            }
            if (ok) {
                long days = daysFromCivil(year, month, day);
                return Instant.ofEpochSecond(days * 86400L + hour * 3600L + min * 60L + sec, nano);
            }
        }
        return OffsetDateTime.parse(s).toInstant();
    }

    private static int digits(String s, int from, int len) {
        int v = 0;
        for (int i = from; i < from + len; i++) {
            char ch = s.charAt(i);
            if (ch < '0' || ch > '9') {
                return -1;
            }
            v = v * 10 + (ch - '0');
        }
        return v;
    }

    private static int daysIn(int year, int month) {
        switch (month) {
            case 2:
                return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4: case 6: case 9: case 11:
                return 30;
            default:
                return 31;
        }
    }

    private static long daysFromCivil(long y, int m, int d) {
        y -= m <= 2 ? 1 : 0;
        long era = Math.floorDiv(y, 400);
        long yoe = y - era * 400;
        long doy = (153L * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
        long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
    }
}
