package dev.fanout.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Key layout of the archive, shared by every backend and by readers (replay CLI, docs):
 *
 * <pre>
 * &lt;prefix&gt;/dt=YYYY-MM-DD/hr=HH/&lt;32 hex&gt;.ndjson.gz              event objects
 * </pre>
 *
 * The runtime's dead letters sit beside them under their own prefix ({@link DeadLetterLayout}).
 *
 * Hive-style {@code dt=}/{@code hr=} directories let DuckDB, Spark and Athena-style readers prune
 * by event time (UTC) without listing everything.
 */
public final class ArchiveLayout {

    /**
     * Hex characters of SHA-256 kept in object names: 128 bits, so a collision between two
     * different id sets (which would make the second batch look already archived) is negligible.
     */
    public static final int NAME_HEX_CHARS = 32;

    public static final String EVENTS_SUFFIX = ".ndjson.gz";

    /** Room left for {@code /dt=…/hr=…/<name><suffix>} below {@link R2Limits#MAX_KEY_BYTES}. */
    static final int MAX_PREFIX_BYTES = 256;

    private final String prefix;

    public ArchiveLayout(String prefix) {
        this.prefix = normalizePrefix(prefix, "prefix");
    }

    public String prefix() {
        return prefix;
    }

    /** The hour partition of an instant, e.g. {@code dt=2026-11-23/hr=07} (UTC). */
    public static String partition(Instant time) {
        ZonedDateTime t = time.atZone(ZoneOffset.UTC);
        return String.format(
                java.util.Locale.ROOT, "dt=%04d-%02d-%02d/hr=%02d",
                t.getYear(), t.getMonthValue(), t.getDayOfMonth(), t.getHour());
    }

    /** Start of the hour partition that contains {@code time}; used to group a batch. */
    public static Instant hourOf(Instant time) {
        return Instant.ofEpochSecond(Math.floorDiv(time.getEpochSecond(), 3600L) * 3600L);
    }

    /**
     * Key of the object holding exactly this set of event ids in this hour. The ids are sorted and
     * deduplicated here, so the same set delivered again in any order maps to the same key.
     */
    public String eventObjectKey(Instant hour, Collection<String> eventIds) {
        if (eventIds.isEmpty()) {
            throw new IllegalArgumentException("no event ids");
        }
        List<String> sorted = eventIds.stream().distinct().sorted().toList();
        MessageDigest sha = sha256();
        for (String id : sorted) {
            sha.update(id.getBytes(StandardCharsets.UTF_8));
            // A separator that cannot occur inside an id keeps ["ab","c"] and ["a","bc"] apart.
            sha.update((byte) '\n');
        }
        return prefix + "/" + partition(hour) + "/" + hex(sha.digest()) + EVENTS_SUFFIX;
    }

    static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest).substring(0, NAME_HEX_CHARS);
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java SE spec", e);
        }
    }

    static String normalizePrefix(String prefix, String what) {
        Objects.requireNonNull(prefix, what);
        String p = prefix.strip();
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        if (p.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        if (p.getBytes(StandardCharsets.UTF_8).length > MAX_PREFIX_BYTES) {
            throw new IllegalArgumentException(what + " longer than " + MAX_PREFIX_BYTES + " bytes");
        }
        for (String segment : p.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..") || segment.startsWith(".")) {
                throw new IllegalArgumentException(what + " has an empty, dot or hidden segment: " + prefix);
            }
        }
        if (p.contains("\\")) {
            throw new IllegalArgumentException(what + " must use '/' separators: " + prefix);
        }
        return p;
    }
}
