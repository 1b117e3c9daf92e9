package dev.fanout.events;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** UTF-8 checks and byte-bounded truncation, without decoding to chars on the hot path. */
public final class Utf8 {
    private Utf8() {}

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /**
     * Index of the first byte that starts an ill-formed UTF-8 sequence in {@code [off, off+len)},
     * or -1 when the range is well-formed (RFC 3629: no overlongs, no surrogates, ≤ U+10FFFF).
     */
    public static int firstInvalid(byte[] b, int off, int len) {
        int i = off;
        int end = off + len;
        while (i < end) {
            int c = b[i];
            if (c >= 0) {
                i++;
                // Event text is almost all ASCII: skip it eight bytes at a time.
                while (i + 8 <= end && ((long) LONGS.get(b, i) & 0x8080808080808080L) == 0) {
                    i += 8;
                }
                continue;
            }
            c &= 0xFF;
            if (c >= 0xC2 && c <= 0xDF) {
                if (i + 1 >= end || !cont(b[i + 1])) {
                    return i;
                }
                i += 2;
            } else if (c >= 0xE0 && c <= 0xEF) {
                if (i + 2 >= end) {
                    return i;
                }
                int c1 = b[i + 1] & 0xFF;
                boolean ok = c == 0xE0 ? (c1 >= 0xA0 && c1 <= 0xBF)
                        : c == 0xED ? (c1 >= 0x80 && c1 <= 0x9F)
                        : cont(b[i + 1]);
                if (!ok || !cont(b[i + 2])) {
                    return i;
                }
                i += 3;
            } else if (c >= 0xF0 && c <= 0xF4) {
                if (i + 3 >= end) {
                    return i;
                }
                int c1 = b[i + 1] & 0xFF;
                boolean ok = c == 0xF0 ? (c1 >= 0x90 && c1 <= 0xBF)
                        : c == 0xF4 ? (c1 >= 0x80 && c1 <= 0x8F)
                        : cont(b[i + 1]);
                if (!ok || !cont(b[i + 2]) || !cont(b[i + 3])) {
                    return i;
                }
                i += 4;
            } else {
                return i;
            }
        }
        return -1;
    }

    private static boolean cont(byte x) {
        return (x & 0xC0) == 0x80;
    }

    /** Number of bytes {@code s} takes in UTF-8 (unpaired surrogates count as the 1-byte '?' Java substitutes). */
    public static int length(String s) {
        int n = 0;
        int len = s.length();
        for (int i = 0; i < len; i++) {
            char ch = s.charAt(i);
            if (ch < 0x80) {
                n++;
            } else if (ch < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(ch) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else if (Character.isSurrogate(ch)) {
                n++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /**
     * Longest prefix of {@code s} whose UTF-8 encoding fits in {@code maxBytes}, never splitting a
     * code point (a surrogate pair is kept or dropped as a whole).
     */
    public static String truncate(String s, int maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes < 0");
        }
        if (s.length() <= maxBytes / 3 || length(s) <= maxBytes) {
            return s;
        }
        int n = 0;
        int len = s.length();
        for (int i = 0; i < len; i++) {
            char ch = s.charAt(i);
            int w;
            int chars = 1;
            if (ch < 0x80) {
                w = 1;
            } else if (ch < 0x800) {
                w = 2;
            } else if (Character.isHighSurrogate(ch) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                w = 4;
                chars = 2;
            } else if (Character.isSurrogate(ch)) {
                w = 1;
            } else {
                w = 3;
            }
            if (n + w > maxBytes) {
                return s.substring(0, i);
            }
            n += w;
            i += chars - 1;
        }
        return s;
    }

    static String decode(byte[] b, int off, int len) {
        return new String(b, off, len, StandardCharsets.UTF_8);
    }
}
