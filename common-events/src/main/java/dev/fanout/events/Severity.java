package dev.fanout.events;

import java.util.Locale;

/**
 * Syslog severities (RFC 5424), ordered from most to least severe by {@link #code()}.
 * Wire name is the lower-case constant name ({@code debug} … {@code emergency}).
 */
public enum Severity {
    EMERGENCY(0),
    ALERT(1),
    CRITICAL(2),
    ERROR(3),
    WARNING(4),
    NOTICE(5),
    INFO(6),
    DEBUG(7);

    private final int code;
    /** Computed once: the bridge asks for it several times per event. */
    private final String wireName;

    Severity(int code) {
        this.code = code;
        this.wireName = name().toLowerCase(Locale.ROOT);
    }

    /** RFC 5424 numeric severity: 0 = emergency … 7 = debug. */
    public int code() {
        return code;
    }

    public String wireName() {
        return wireName;
    }

    /** True when this is more severe than {@code other}. */
    public boolean moreSevereThan(Severity other) {
        return code < other.code;
    }

    public static Severity fromWire(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }

    public static Severity fromCode(int code) {
        for (Severity s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        throw new IllegalArgumentException("syslog severity out of range: " + code);
    }
}
