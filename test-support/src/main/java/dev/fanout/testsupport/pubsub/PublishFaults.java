package dev.fanout.testsupport.pubsub;

import com.google.pubsub.v1.PublishRequest;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Fault rules for Publish RPCs. All methods lock this object, so rules installed by a test thread
 * apply atomically to the next RPC seen by a gRPC thread.
 */
final class PublishFaults {

    private record Rule(Predicate<PublishRequest> predicate, Status status, int[] remaining) {
    }

    private Status failAll;
    private int failNextCount;
    private Status failNextStatus;
    private final List<Rule> rules = new ArrayList<>();
    private Duration delay = Duration.ZERO;

    synchronized void failNext(int count, Status status) {
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0: " + count);
        }
        failNextCount = count;
        failNextStatus = Objects.requireNonNull(status, "status");
    }

    synchronized void failWhen(Predicate<PublishRequest> predicate, Status status, int maxTimes) {
        rules.add(new Rule(Objects.requireNonNull(predicate, "predicate"), Objects.requireNonNull(status, "status"),
                new int[] {maxTimes}));
    }

    synchronized void failAll(Status status) {
        failAll = status;
    }

    synchronized void delay(Duration value) {
        if (value.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative: " + value);
        }
        delay = value;
    }

    synchronized Duration delay() {
        return delay;
    }

    synchronized void clear() {
        failAll = null;
        failNextCount = 0;
        failNextStatus = null;
        rules.clear();
        delay = Duration.ZERO;
    }

    /**
     * Decides the fate of one RPC; consumes a "fail next" or a limited rule when it fires.
     *
     * @return the status to fail with, or null to accept the request
     */
    synchronized Status select(PublishRequest request) {
        if (failAll != null) {
            return failAll;
        }
        if (failNextCount > 0) {
            failNextCount--;
            return failNextStatus;
        }
        for (var it = rules.iterator(); it.hasNext();) {
            Rule rule = it.next();
            if (rule.predicate().test(request)) {
                if (rule.remaining()[0] > 0 && --rule.remaining()[0] == 0) {
                    it.remove();
                }
                return rule.status();
            }
        }
        return null;
    }
}
