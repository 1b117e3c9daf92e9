package dev.fanout.alerts.engine;

import dev.fanout.alerts.rules.Rule;
import dev.fanout.alerts.state.GroupState.Sample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * What one sink batch adds to the groups, per bus message (so that a redelivered message can be
 * recognised and skipped as a whole). Built without touching the state, then applied to it by
 * {@link AlertEngine#apply} as often as compare-and-set needs.
 */
public final class BatchDelta {

    /** Samples kept per group and window. */
    public static final int MAX_SAMPLES = 3;
    /** Characters of {@code raw} kept in a sample. */
    public static final int MAX_SAMPLE_CHARS = 300;
    /** Hosts counted per group and window; the rest go to {@value #OTHER_HOSTS}. */
    public static final int MAX_HOSTS = 10;
    public static final String OTHER_HOSTS = "(other)";
    /** Template hashes remembered per group. */
    public static final int MAX_TEMPLATES = 32;

    final List<MessageDelta> messages = new ArrayList<>();
    long matchedEvents;
    long replayedSkipped;

    public List<MessageDelta> messages() {
        return messages;
    }

    /** Events that matched a rule (an event matching two rules with {@code continue} counts twice). */
    public long matchedEvents() {
        return matchedEvents;
    }

    /** Replayed events not counted because no rule that would take them includes replays. */
    public long replayedSkipped() {
        return replayedSkipped;
    }

    public boolean isEmpty() {
        return messages.isEmpty();
    }

    /** The groups one message adds to. */
    public static final class MessageDelta {
        final String dedupeKey;
        final Map<String, GroupDelta> groups = new LinkedHashMap<>();

        MessageDelta(String dedupeKey) {
            this.dedupeKey = dedupeKey;
        }

        public String dedupeKey() {
            return dedupeKey;
        }

        public Map<String, GroupDelta> groups() {
            return groups;
        }
    }

    /** One group's share of one message. */
    public static final class GroupDelta {
        final Rule rule;
        final String fingerprint;
        final Map<String, String> labels;
        final String template;
        long count;
        long firstSeen = Long.MAX_VALUE;
        long lastSeen = Long.MIN_VALUE;
        final Map<String, Long> hosts = new LinkedHashMap<>();
        final List<Sample> samples = new ArrayList<>(MAX_SAMPLES);
        final LinkedHashSet<String> templateHashes = new LinkedHashSet<>();

        GroupDelta(Rule rule, String fingerprint, Map<String, String> labels, String template) {
            this.rule = rule;
            this.fingerprint = fingerprint;
            this.labels = labels;
            this.template = template;
        }

        public Rule rule() {
            return rule;
        }

        public String fingerprint() {
            return fingerprint;
        }

        public long count() {
            return count;
        }

        public Map<String, String> labels() {
            return labels;
        }
    }
}
