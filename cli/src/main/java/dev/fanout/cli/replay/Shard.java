package dev.fanout.cli.replay;

import dev.fanout.cli.UsageException;
import java.util.Map;

/** Which share of the hour partitions this process replays: {@code --shard i/n} or Cloud Run's task index/count. */
public record Shard(int index, int count) {

    public static final Shard ALL = new Shard(0, 1);

    public Shard {
        if (count < 1 || index < 0 || index >= count) {
            throw new UsageException("shard " + index + "/" + count + ": need 0 <= index < count");
        }
    }

    /** {@code --shard} if given, else {@code CLOUD_RUN_TASK_INDEX}/{@code CLOUD_RUN_TASK_COUNT}, else everything. */
    public static Shard resolve(String option, Map<String, String> env) {
        if (option != null && !option.isBlank()) {
            String[] p = option.strip().split("/");
            if (p.length != 2) {
                throw new UsageException("--shard " + option + ": expected i/n, e.g. 0/4");
            }
            try {
                return new Shard(Integer.parseInt(p[0]), Integer.parseInt(p[1]));
            } catch (NumberFormatException e) {
                throw new UsageException("--shard " + option + ": expected i/n, e.g. 0/4");
            }
        }
        String i = env.get("CLOUD_RUN_TASK_INDEX");
        String n = env.get("CLOUD_RUN_TASK_COUNT");
        if (i != null && n != null) {
            try {
                return new Shard(Integer.parseInt(i.strip()), Integer.parseInt(n.strip()));
            } catch (NumberFormatException e) {
                throw new UsageException("CLOUD_RUN_TASK_INDEX/CLOUD_RUN_TASK_COUNT are not numbers: " + i + "/" + n);
            }
        }
        return ALL;
    }

    @Override
    public String toString() {
        return index + "/" + count;
    }
}
