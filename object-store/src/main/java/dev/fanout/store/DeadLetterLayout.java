package dev.fanout.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Key layout of the consumer runtime's dead-letter store, in the archive's store beside the event
 * objects (see docs/archive-format.md):
 *
 * <pre>
 * &lt;prefix&gt;/sink=&lt;sink&gt;/dt=YYYY-MM-DD/hr=HH/&lt;32 hex&gt;.ndjson.gz
 * </pre>
 *
 * {@code dt}/{@code hr} are the UTC hour of the dead letters' message publish time, so a
 * redelivered message files its letters under the same hour, and the name is a hash of the
 * letters' identities: the same letters written again map to the same key.
 */
public final class DeadLetterLayout {

    public static final String DEFAULT_PREFIX = "dead-letter";
    public static final String SUFFIX = ".ndjson.gz";

    /** Sink names become a path segment: keep them to what every store and shell takes as is. */
    private static final Pattern SINK_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    private final String prefix;

    public DeadLetterLayout(String prefix) {
        this.prefix = ArchiveLayout.normalizePrefix(prefix, "dead-letter prefix");
    }

    /** A layout under {@code prefix} that refuses to share the archive's event prefix (readers glob that one). */
    public static DeadLetterLayout beside(ArchiveLayout archive, String prefix) {
        DeadLetterLayout l = new DeadLetterLayout(prefix);
        if (l.prefix.equals(archive.prefix()) || l.prefix.startsWith(archive.prefix() + "/")) {
            throw new IllegalArgumentException("dead-letter prefix must not be inside the archive prefix: " + prefix);
        }
        return l;
    }

    public String prefix() {
        return prefix;
    }

    /** Whether {@code sink} can name a dead-letter directory. */
    public static boolean validSinkName(String sink) {
        return sink != null && SINK_NAME.matcher(sink).matches();
    }

    /**
     * Key of the object holding the letters with these identities (e.g. {@code messageId/eventId},
     * or {@code messageId/<sha-256 of the data>} for an undecodable message) for one sink and hour.
     * Sorted and deduplicated here, so order does not matter.
     */
    public String objectKey(String sink, Instant hour, Collection<String> letterIds) {
        if (!validSinkName(sink)) {
            throw new IllegalArgumentException("sink name not usable in a dead-letter key: " + sink);
        }
        if (letterIds.isEmpty()) {
            throw new IllegalArgumentException("no dead letters");
        }
        List<String> sorted = letterIds.stream().distinct().sorted().toList();
        MessageDigest sha = ArchiveLayout.sha256();
        for (String id : sorted) {
            sha.update(id.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) '\n');
        }
        return prefix + "/sink=" + sink + "/" + ArchiveLayout.partition(hour) + "/" + ArchiveLayout.hex(sha.digest()) + SUFFIX;
    }
}
