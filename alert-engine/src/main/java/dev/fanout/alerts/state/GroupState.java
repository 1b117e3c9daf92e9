package dev.fanout.alerts.state;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One group: one rule and one set of group-by values. "Window" fields cover the events since the
 * last e-mail (or since the group appeared) and are what the next e-mail reports; processing times
 * ({@code *At}) drive the timers, event times ({@code *Seen}) are reported.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class GroupState {

    public String fingerprint;
    public String rule;
    public String priority;
    /** Group-by field → value, in the rule's order. */
    public Map<String, String> labels = new LinkedHashMap<>();
    /** The first message template seen (the group's only one when the rule groups by template). */
    public String template;
    /** True for the catch-all group of a rule once {@code fanout.alerts.max-groups} is reached. */
    public boolean overflow;

    public long createdAt;
    /** Start of the current window: creation, or the last e-mail / digest. Part of the Idempotency-Key. */
    public long windowStart;
    /** Last e-mail or digest that reported this group; 0 = never. */
    public long lastSentAt;
    /** Processing time of the last event counted. */
    public long lastEventAt;

    public long total;
    public long firstSeen;
    public long lastSeen;

    public long pending;
    public long pendingFirst;
    public long pendingLast;
    /** Events per host in the window (bounded; the rest under {@code (other)}). */
    public Map<String, Long> hosts = new LinkedHashMap<>();
    /** The first events of the window (at most three). */
    public List<Sample> samples = new ArrayList<>();

    /** Hashes of the templates seen (bounded). */
    public List<String> templates = new ArrayList<>();
    /** Hashes of the templates already e-mailed (bounded). */
    public List<String> notified = new ArrayList<>();
    /** A template not yet e-mailed arrived: the next e-mail follows group-interval, not repeat-interval. */
    public boolean newTemplate;

    /** The budget could not pay for this group's e-mail; it waits for budget or the digest. */
    public boolean heldBack;
    public long heldBackSince;
    public int emails;

    /** One sample event as shown in an e-mail. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Sample {
        public String id;
        public long time;
        public String host;
        public String severity;
        public String raw;

        public Sample() {}

        public Sample(String id, long time, String host, String severity, String raw) {
            this.id = id;
            this.time = time;
            this.host = host;
            this.severity = severity;
            this.raw = raw;
        }
    }
}
