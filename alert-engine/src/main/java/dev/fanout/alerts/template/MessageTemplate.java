package dev.fanout.alerts.template;

/**
 * The message template of a log line: {@code raw} with its variable parts masked, so that 10,000
 * "connection refused to 10.0.0.7:5432" lines and their siblings with other addresses are one
 * group. One pass, no regular expressions: it runs on every matching event (the benchmark target
 * is 500,000 events per CPU-second for matching plus fingerprinting).
 *
 * <p>Masks, in this order of recognition:
 * <ul>
 *   <li>quoted strings ({@code "…"}, and {@code '…'} not inside a word) → {@value #STR}</li>
 *   <li>then per token (a run of letters, digits and {@code . _ : / - @ + % ~ #}):
 *     URLs ({@code scheme://…}) → {@value #URL}; paths (starting {@code /}, {@code ./}, {@code ../},
 *     {@code ~/} or {@code X:\}) → {@value #PATH}; UUIDs → {@value #UUID}; IPv4 (with optional
 *     {@code :port}) and IPv6 → {@value #IP}; {@code 0x…} and runs of 8+ hex digits → {@value #HEX};
 *     tokens made mostly of digits (numbers, timestamps, dates) → {@value #NUM}; digit runs inside
 *     other words ({@code worker-3}) → {@value #NUM}</li>
 * </ul>
 * Whitespace runs become one space. Only the first {@value #MAX_SCANNED_CHARS} characters of
 * {@code raw} are read and the template is cut at {@value #MAX_TEMPLATE_CHARS} characters, so two
 * lines that differ only after that are one group.
 */
public final class MessageTemplate {
    private MessageTemplate() {}

    public static final String STR = "<str>";
    public static final String URL = "<url>";
    public static final String PATH = "<path>";
    public static final String UUID = "<uuid>";
    public static final String IP = "<ip>";
    public static final String HEX = "<hex>";
    public static final String NUM = "<num>";

    /** Characters of {@code raw} looked at. */
    public static final int MAX_SCANNED_CHARS = 1024;
    /** Longest template kept. */
    public static final int MAX_TEMPLATE_CHARS = 256;
    /** A quote not closed within this many characters is a literal quote. */
    private static final int MAX_QUOTED_CHARS = 512;

    /** The template of {@code raw}; {@code ""} for null or blank. */
    public static String of(String raw) {
        if (raw == null || raw.isEmpty()) {
            return "";
        }
        int end = Math.min(raw.length(), MAX_SCANNED_CHARS);
        StringBuilder out = new StringBuilder(Math.min(end, MAX_TEMPLATE_CHARS) + 16);
        int i = 0;
        boolean pendingSpace = false;
        // Where the next "://" is: looked up once per occurrence, not once per token.
        int scheme = raw.indexOf("://");
        while (i < end && out.length() < MAX_TEMPLATE_CHARS) {
            char c = raw.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                pendingSpace = out.length() > 0;
                i++;
                continue;
            }
            if (pendingSpace) {
                out.append(' ');
                pendingSpace = false;
            }
            if ((c == '"' || (c == '\'' && (i == 0 || !Character.isLetterOrDigit(raw.charAt(i - 1)))))) {
                int close = raw.indexOf(c, i + 1);
                if (close > 0 && close - i <= MAX_QUOTED_CHARS) {
                    out.append(STR);
                    i = close + 1;
                    continue;
                }
                out.append(c);
                i++;
                continue;
            }
            if (isTokenChar(c)) {
                int j = i + 1;
                while (j < end && isTokenChar(raw.charAt(j))) {
                    j++;
                }
                if (scheme >= 0 && scheme < i) {
                    scheme = raw.indexOf("://", i);
                }
                boolean url = scheme > i && scheme < j;
                if (url) {
                    // A URL runs to the next space or quote, query string included.
                    while (j < end && raw.charAt(j) > ' ' && raw.charAt(j) != '"' && raw.charAt(j) != '\'') {
                        j++;
                    }
                }
                // Sentence punctuation after a token ("…/data.db: denied", "…at 10.0.0.7.") is text, not token.
                while (j > i + 1 && (raw.charAt(j - 1) == ':' || raw.charAt(j - 1) == '.' || raw.charAt(j - 1) == ',')) {
                    j--;
                }
                if (url) {
                    out.append(URL);
                } else {
                    appendToken(raw, i, j, out);
                }
                i = j;
                continue;
            }
            out.append(c);
            i++;
        }
        if (out.length() > MAX_TEMPLATE_CHARS) {
            out.setLength(MAX_TEMPLATE_CHARS);
        }
        return out.toString();
    }

    /** ASCII token characters, looked up instead of compared: this runs for every character. */
    private static final boolean[] TOKEN = new boolean[128];

    static {
        for (char c = 'a'; c <= 'z'; c++) {
            TOKEN[c] = true;
        }
        for (char c = 'A'; c <= 'Z'; c++) {
            TOKEN[c] = true;
        }
        for (char c = '0'; c <= '9'; c++) {
            TOKEN[c] = true;
        }
        for (char c : "._:/-@+%~#\\".toCharArray()) {
            TOKEN[c] = true;
        }
    }

    private static boolean isTokenChar(char c) {
        return c < 128 ? TOKEN[c] : Character.isLetterOrDigit(c);
    }

    private static void appendToken(String s, int from, int to, StringBuilder out) {
        int len = to - from;
        char first = s.charAt(from);
        int digits = 0;
        int letters = 0;
        int hexLetters = 0;
        int colons = 0;
        int dots = 0;
        boolean onlyHexAndSep = true;
        for (int k = from; k < to; k++) {
            char c = s.charAt(k);
            if (c >= '0' && c <= '9') {
                digits++;
            } else if ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) {
                letters++;
                hexLetters++;
            } else if ((c >= 'g' && c <= 'z') || (c >= 'G' && c <= 'Z') || c > 127) {
                letters++;
                onlyHexAndSep = false;
            } else if (c == ':') {
                colons++;
            } else if (c == '.') {
                dots++;
            } else if (c != '-') {
                onlyHexAndSep = false;
            }
        }
        if (first == '/' || first == '~' && len > 1 && s.charAt(from + 1) == '/'
                || first == '.' && len > 1 && (s.charAt(from + 1) == '/' || s.startsWith("./", from + 1))
                || len > 2 && Character.isLetter(first) && s.charAt(from + 1) == ':' && s.charAt(from + 2) == '\\') {
            if (len > 1) {
                out.append(PATH);
                return;
            }
        }
        if (len == 36 && isUuid(s, from)) {
            out.append(UUID);
            return;
        }
        if (digits > 0 && letters == 0 && dots == 3 && colons <= 1 && isIpv4(s, from, to)) {
            out.append(IP);
            return;
        }
        if ((colons == 7 || colons >= 2 && s.indexOf("::", from) >= 0 && s.indexOf("::", from) < to - 1)
                && onlyHexAndSep && isIpv6(s, from, to)) {
            out.append(IP);
            return;
        }
        if (len > 2 && first == '0' && (s.charAt(from + 1) == 'x' || s.charAt(from + 1) == 'X')
                && allHex(s, from + 2, to)) {
            out.append(HEX);
            return;
        }
        if (len >= 8 && digits > 0 && hexLetters > 0 && allHex(s, from, to)) {
            out.append(HEX);
            return;
        }
        if (digits > 0 && digits >= 2 * letters) {
            // Numbers, versions, dates and timestamps such as 2026-11-23T10:00:00.123Z.
            out.append(NUM);
            return;
        }
        if (digits == 0) {
            out.append(s, from, to);
            return;
        }
        // A word with some digits (worker-3, db02): mask the digit runs, keep the rest.
        int k = from;
        while (k < to) {
            char c = s.charAt(k);
            if (c >= '0' && c <= '9') {
                while (k < to && s.charAt(k) >= '0' && s.charAt(k) <= '9') {
                    k++;
                }
                out.append(NUM);
            } else {
                out.append(c);
                k++;
            }
        }
    }

    private static boolean allHex(String s, int from, int to) {
        if (from >= to) {
            return false;
        }
        for (int k = from; k < to; k++) {
            if (Character.digit(s.charAt(k), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean isUuid(String s, int from) {
        for (int k = 0; k < 36; k++) {
            char c = s.charAt(from + k);
            if (k == 8 || k == 13 || k == 18 || k == 23) {
                if (c != '-') {
                    return false;
                }
            } else if (Character.digit(c, 16) < 0) {
                return false;
            }
        }
        return true;
    }

    /** {@code a.b.c.d} with 1-3 digits each, optionally {@code :port}. */
    private static boolean isIpv4(String s, int from, int to) {
        int parts = 0;
        int run = 0;
        int k = from;
        for (; k < to; k++) {
            char c = s.charAt(k);
            if (c >= '0' && c <= '9') {
                if (++run > 3) {
                    return false;
                }
            } else if (c == '.') {
                if (run == 0) {
                    return false;
                }
                parts++;
                run = 0;
            } else if (c == ':') {
                break;
            } else {
                return false;
            }
        }
        if (run == 0 || parts != 3) {
            return false;
        }
        if (k < to) {
            // :port
            if (k + 1 >= to) {
                return false;
            }
            for (int p = k + 1; p < to; p++) {
                char c = s.charAt(p);
                if (c < '0' || c > '9') {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean isIpv6(String s, int from, int to) {
        int groupLen = 0;
        for (int k = from; k < to; k++) {
            char c = s.charAt(k);
            if (c == ':') {
                groupLen = 0;
            } else if (c == '.' || Character.digit(c, 16) >= 0) {
                if (++groupLen > 4 && c != '.') {
                    // Embedded IPv4 tails have dots; pure hex groups are at most 4 digits.
                    return false;
                }
            } else {
                return false;
            }
        }
        return true;
    }

    /**
     * A regular expression that matches the lines of a template (RE2 syntax, which BigQuery's
     * {@code REGEXP_CONTAINS} and DuckDB's {@code regexp_matches} both accept): literal text
     * quoted, every mask as {@code .*}, every space as {@code \s+}; anchored at the start only,
     * because the template may be cut.
     */
    public static String toRegex(String template) {
        StringBuilder re = new StringBuilder(template.length() + 16).append('^');
        int i = 0;
        while (i < template.length()) {
            char c = template.charAt(i);
            if (c == '<') {
                int close = template.indexOf('>', i);
                if (close > 0) {
                    String mask = template.substring(i, close + 1);
                    if (isMask(mask)) {
                        re.append(".*");
                        i = close + 1;
                        continue;
                    }
                }
            }
            if (c == ' ') {
                re.append("\\s+");
            } else if ("\\^$.|?*+()[]{}".indexOf(c) >= 0) {
                re.append('\\').append(c);
            } else {
                re.append(c);
            }
            i++;
        }
        return re.toString();
    }

    private static boolean isMask(String m) {
        return m.equals(STR) || m.equals(URL) || m.equals(PATH) || m.equals(UUID) || m.equals(IP) || m.equals(HEX)
                || m.equals(NUM);
    }
}
