package dev.fanout.alerts.engine;

import dev.fanout.alerts.rules.GroupField;
import dev.fanout.alerts.rules.Rule;
import dev.fanout.alerts.rules.RuleSet;
import dev.fanout.alerts.state.GroupState.Sample;
import dev.fanout.alerts.template.MessageTemplate;
import dev.fanout.events.Envelope;
import dev.fanout.events.port.MessageMeta;
import dev.fanout.events.port.SinkRecord;
import dev.fanout.store.ArchiveLayout;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Rule matching and fingerprinting of a batch: the hot path (every event the alert sink receives).
 * Events no rule wants cost one severity comparison; a matching event costs its template, its group
 * key and a hash-map update. Fingerprints (SHA-256 of the group key) are cached per key.
 */
public final class EventClassifier {

    /** Separates the parts of a group key; cannot occur in rule names and hardly in log text. */
    static final char SEP = '\u001f';
    /** Hex characters of SHA-256 in a fingerprint: 64 bits, plenty for at most a few thousand groups. */
    public static final int FINGERPRINT_HEX = 16;
    private static final int MAX_CACHED_FINGERPRINTS = 50_000;

    private final RuleSet rules;
    private final ConcurrentHashMap<String, String> fingerprints = new ConcurrentHashMap<>();

    public EventClassifier(RuleSet rules) {
        this.rules = rules;
    }

    public RuleSet rules() {
        return rules;
    }

    public BatchDelta classify(List<SinkRecord> records) {
        BatchDelta delta = new BatchDelta();
        Map<MessageMeta, BatchDelta.MessageDelta> byMessage = new IdentityHashMap<>();
        for (SinkRecord r : records) {
            Envelope e = r.envelope();
            boolean replayed = r.message().replayed();
            List<Rule> matched = rules.match(e, replayed);
            if (matched.isEmpty()) {
                if (replayed && !rules.match(e, false).isEmpty()) {
                    delta.replayedSkipped++;
                }
                continue;
            }
            BatchDelta.MessageDelta md = byMessage.get(r.message());
            if (md == null) {
                // Message id plus the first matching event: unique across restarts of a local bus
                // that reuses message ids, and the same when the message is delivered again.
                md = new BatchDelta.MessageDelta(r.message().messageId() + "/" + e.id());
                byMessage.put(r.message(), md);
                delta.messages.add(md);
            }
            String template = MessageTemplate.of(e.raw());
            for (Rule rule : matched) {
                add(md, rule, e, template);
                delta.matchedEvents++;
            }
        }
        return delta;
    }

    private void add(BatchDelta.MessageDelta md, Rule rule, Envelope e, String template) {
        List<GroupField> groupBy = rule.groupBy();
        StringBuilder key = new StringBuilder(64 + template.length()).append(rule.name());
        for (GroupField f : groupBy) {
            key.append(SEP).append(f.valueOf(e, template));
        }
        String k = key.toString();
        BatchDelta.GroupDelta g = md.groups.get(k);
        if (g == null) {
            Map<String, String> labels = new LinkedHashMap<>();
            for (GroupField f : groupBy) {
                labels.put(f.name(), f.valueOf(e, template));
            }
            g = new BatchDelta.GroupDelta(rule, fingerprint(k), labels, template);
            md.groups.put(k, g);
        }
        g.count++;
        long t = e.time().toEpochMilli();
        g.firstSeen = Math.min(g.firstSeen, t);
        g.lastSeen = Math.max(g.lastSeen, t);
        String host = e.host() == null ? "" : e.host();
        if (g.hosts.containsKey(host) || g.hosts.size() < BatchDelta.MAX_HOSTS) {
            g.hosts.merge(host, 1L, Long::sum);
        } else {
            g.hosts.merge(BatchDelta.OTHER_HOSTS, 1L, Long::sum);
        }
        if (g.samples.size() < BatchDelta.MAX_SAMPLES) {
            String raw = e.raw() == null ? "" : e.raw();
            g.samples.add(new Sample(e.id(), t, e.host(), e.severity().wireName(),
                    raw.length() > BatchDelta.MAX_SAMPLE_CHARS ? raw.substring(0, BatchDelta.MAX_SAMPLE_CHARS) + "…" : raw));
        }
        // Grouped by template, every event of the group has the group's template: hash it once.
        if (g.templateHashes.size() < BatchDelta.MAX_TEMPLATES && (g.count == 1 || !rule.groupsByTemplate())) {
            g.templateHashes.add(templateHash(template));
        }
    }

    /** The fingerprint of a group key: 16 hex characters of its SHA-256. */
    public String fingerprint(String groupKey) {
        String fp = fingerprints.get(groupKey);
        if (fp == null) {
            fp = HexFormat.of().formatHex(ArchiveLayout.sha256().digest(groupKey.getBytes(StandardCharsets.UTF_8)))
                    .substring(0, FINGERPRINT_HEX);
            if (fingerprints.size() >= MAX_CACHED_FINGERPRINTS) {
                fingerprints.clear();
            }
            fingerprints.put(groupKey, fp);
        }
        return fp;
    }

    /** The overflow group of a rule. */
    public String overflowFingerprint(String rule) {
        return fingerprint(rule + SEP + "\u0000overflow");
    }

    /** 64-bit FNV-1a of a template, hex: enough to tell templates of one group apart. */
    static String templateHash(String template) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < template.length(); i++) {
            h ^= template.charAt(i);
            h *= 0x100000001b3L;
        }
        return Long.toHexString(h);
    }
}
