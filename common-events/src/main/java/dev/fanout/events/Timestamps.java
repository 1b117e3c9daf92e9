package dev.fanout.events;

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
        int nano = t.getNano();
        char[] c = new char[30];
        long days = Math.floorDiv(sec, 86400L);
        int sod = (int) Math.floorMod(sec, 86400L);
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
        c[0] = (char) ('0' + yr / 1000);
        c[1] = (char) ('0' + yr / 100 % 10);
        c[2] = (char) ('0' + yr / 10 % 10);
        c[3] = (char) ('0' + yr % 10);
        c[4] = '-';
        two(c, 5, m);
        c[7] = '-';
        two(c, 8, d);
        c[10] = 'T';
        two(c, 11, sod / 3600);
        c[13] = ':';
        two(c, 14, sod / 60 % 60);
        c[16] = ':';
        two(c, 17, sod % 60);
        int p = 19;
        if (nano != 0) {
            c[p++] = '.';
            int digits = nano % 1_000_000 == 0 ? 3 : nano % 1000 == 0 ? 6 : 9;
            int v = nano;
            int div = 100_000_000;
            for (int i = 0; i < digits; i++) {
                c[p++] = (char) ('0' + v / div % 10);
                div /= 10;
            }
        }
        c[p++] = 'Z';
        return new String(c, 0, p);
    }

    private static void two(char[] c, int at, int v) {
        c[at] = (char) ('0' + v / 10);
        c[at + 1] = (char) ('0' + v % 10);
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
