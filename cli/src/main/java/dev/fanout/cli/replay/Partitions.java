package dev.fanout.cli.replay;

import dev.fanout.store.ArchiveLayout;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Hour partitions of a time range, and how shards split them. */
public final class Partitions {
    private Partitions() {}

    /** Hard bound on one replay's partitions (10 years): each is one listing, a billed class-A operation on R2. */
    public static final int MAX_HOURS = 24 * 366 * 10;

    /** Start instants of every hour partition that can hold an event time in {@code [from, to)}, ascending. */
    public static List<Instant> hours(Instant from, Instant to) {
        List<Instant> out = new ArrayList<>();
        if (!from.isBefore(to)) {
            return out;
        }
        Instant last = ArchiveLayout.hourOf(to.minusNanos(1));
        for (Instant h = ArchiveLayout.hourOf(from); !h.isAfter(last); h = h.plusSeconds(3600)) {
            out.add(h);
            if (out.size() > MAX_HOURS) {
                throw new IllegalArgumentException("more than " + MAX_HOURS + " hour partitions");
            }
        }
        return out;
    }

    /**
     * Whether shard {@code index} of {@code count} owns this hour. By the hour itself, not its
     * position in a list: tasks that resolve a relative range a few seconds apart still agree on
     * every partition they both see, so none is replayed twice or skipped.
     */
    public static boolean owns(Instant hour, int index, int count) {
        return Math.floorMod(hour.getEpochSecond() / 3600, count) == index;
    }
}
