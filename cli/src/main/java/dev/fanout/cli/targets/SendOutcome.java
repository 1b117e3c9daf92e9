package dev.fanout.cli.targets;

import java.util.List;

/**
 * @param sent      events the target confirmed
 * @param rejected  events the target refused as invalid (not retried: sending again cannot help)
 * @param problems  short descriptions of what was rejected, for the report
 */
public record SendOutcome(long sent, long rejected, List<String> problems) {

    public static SendOutcome allSent(long n) {
        return new SendOutcome(n, 0, List.of());
    }

    public SendOutcome plus(SendOutcome o) {
        List<String> p = problems.isEmpty() ? o.problems
                : o.problems.isEmpty() ? problems
                : java.util.stream.Stream.concat(problems.stream(), o.problems.stream()).limit(20).toList();
        return new SendOutcome(sent + o.sent, rejected + o.rejected, p);
    }
}
