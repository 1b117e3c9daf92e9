package dev.fanout.consumer.pull;

import com.google.pubsub.v1.ProjectSubscriptionName;
import dev.fanout.consumer.Intake;
import dev.fanout.consumer.SinkBatcher;
import dev.fanout.pubsub.PubSubConnection;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/** Pull delivery: one {@link PullSubscriber} per sink on that sink's own subscription. */
public final class PullIntake implements Intake {

    private final Supplier<PubSubConnection> connect;
    private final Function<String, String> subscriptionOf;
    private final PullSubscriber.Settings settings;
    private final Map<String, PullSubscriber> subscribers = new LinkedHashMap<>();
    private PubSubConnection connection;

    /**
     * @param connect        opens the connection (owned by this intake, closed in {@link #close})
     * @param subscriptionOf the subscription id of a sink
     */
    public PullIntake(Supplier<PubSubConnection> connect, Function<String, String> subscriptionOf,
                      PullSubscriber.Settings settings) {
        this.connect = connect;
        this.subscriptionOf = subscriptionOf;
        this.settings = settings;
    }

    @Override
    public void start(Collection<SinkBatcher> batchers) {
        // Resolve every subscription before connecting: a missing key fails the start cleanly.
        Map<SinkBatcher, String> subs = new LinkedHashMap<>();
        for (SinkBatcher b : batchers) {
            subs.put(b, subscriptionOf.apply(b.sinkName()));
        }
        connection = connect.get();
        subs.forEach((b, sub) -> subscribers.put(b.sinkName(),
                PullSubscriber.start(b, ProjectSubscriptionName.of(connection.projectId(), sub), settings, connection)));
    }

    @Override
    public void close(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (PullSubscriber s : subscribers.values()) {
            s.stop(Duration.ofNanos(Math.max(1_000_000L, deadline - System.nanoTime())));
        }
        if (connection != null) {
            connection.close();
        }
    }

    /** Readiness looks at the sink's own subscriber only. */
    @Override
    public String problem(String sink) {
        PullSubscriber s = subscribers.get(sink);
        return s == null ? "no subscriber" : s.problem();
    }

    public List<PullSubscriber> subscribers() {
        return Collections.unmodifiableList(List.copyOf(subscribers.values()));
    }
}
