package dev.fanout.consumer.quarkus;

import com.google.api.gax.core.CredentialsProvider;
import com.google.pubsub.v1.ProjectSubscriptionName;
import dev.fanout.consumer.BatchPolicy;
import dev.fanout.consumer.ConsumerMetrics;
import dev.fanout.consumer.InProcessBus;
import dev.fanout.consumer.RetryPolicy;
import dev.fanout.consumer.SinkBatcher;
import dev.fanout.consumer.WriteTracing;
import dev.fanout.consumer.config.ConsumerConfig;
import dev.fanout.consumer.pull.PullSubscriber;
import dev.fanout.events.port.EventSink;
import dev.fanout.pubsub.PubSubConfig;
import dev.fanout.pubsub.PubSubConnection;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Wires every {@link EventSink} bean of the app to a {@link SinkBatcher} and to the configured
 * delivery mode: push (the {@code /v1/push} resource looks batchers up here), pull (one
 * {@link PullSubscriber} per sink) or local (one {@link InProcessBus} subscription per sink, see
 * {@link LocalDelivery}). On
 * shutdown it stops intake, flushes every batcher (bounded by
 * {@code fanout.consumer.shutdown-timeout}) and closes the sinks.
 */
@ApplicationScoped
public class ConsumerRuntime {

    private static final Logger LOG = Logger.getLogger(ConsumerRuntime.class);

    @Inject
    ConsumerConfig config;
    @Inject
    PubSubConfig pubsub;
    @Inject
    Instance<EventSink> sinkBeans;
    @Inject
    Instance<MeterRegistry> registry;
    @Inject
    Instance<OpenTelemetry> otel;
    @Inject
    Instance<InProcessBus> localBus;
    @Inject
    Instance<CredentialsProvider> credentials;

    private final Map<String, SinkBatcher> batchers = new LinkedHashMap<>();
    private final List<PullSubscriber> subscribers = new ArrayList<>();
    private PubSubConnection connection;
    private LocalDelivery local;
    private volatile boolean started;
    private volatile boolean stopping;

    void onStart(@Observes @Priority(100) StartupEvent ev) {
        start();
    }

    /** Runs before most other shutdown observers so that sinks' clients are still open while flushing. */
    void onStop(@Observes @Priority(100) ShutdownEvent ev) {
        stop();
    }

    synchronized void start() {
        if (started) {
            return;
        }
        WriteTracing tracing = new WriteTracing(otel.isResolvable() ? otel.get() : OpenTelemetry.noop());
        for (EventSink sink : sinkBeans) {
            String name = sink.name();
            if (batchers.containsKey(name)) {
                throw new IllegalStateException("two EventSink beans are named '" + name + "'");
            }
            ConsumerMetrics metrics = registry.isResolvable()
                    ? new ConsumerMetrics(registry.get(), name) : ConsumerMetrics.unregistered(name);
            SinkBatcher b = new SinkBatcher(sink, batchPolicy(name), retryPolicy(), metrics, tracing).start();
            batchers.put(name, b);
            BatchPolicy p = b.policy();
            LOG.infof("sink %s: batches of up to %d events / %d bytes / %s, mode %s",
                    name, p.maxEvents(), p.maxBytes(), p.maxAge(), config.mode().name().toLowerCase());
            warnIfTooSlowForTheBus(name, p);
        }
        if (batchers.isEmpty()) {
            LOG.warn("consumer runtime: the app declares no EventSink bean; nothing will be consumed");
        }
        switch (config.mode()) {
            case PULL -> startPull();
            case LOCAL -> {
                local = new LocalDelivery(localBus.get(), config.local());
                local.start(batchers.values(), registry.isResolvable() ? registry.get() : null);
            }
            case PUSH -> { /* the resource finds the batchers */ }
        }
        started = true;
    }

    /**
     * A batch that can take longer (age + retries) than the bus waits for an answer is answered too
     * late: push gets a 503 after max-wait, the local bus redelivers; both only duplicate work.
     */
    private void warnIfTooSlowForTheBus(String sink, BatchPolicy p) {
        Duration worst = p.maxAge().plus(config.retry().maxTotal());
        Duration bound = switch (config.mode()) {
            case PUSH -> config.push().maxWait();
            case LOCAL -> config.local().ackDeadline();
            case PULL -> config.pull().maxAckExtension();
        };
        if (worst.compareTo(bound) >= 0) {
            LOG.warnf("sink %s: batch max-age %s + retry max-total %s is not below %s (%s mode); slow batches "
                    + "will be redelivered and written twice", sink, p.maxAge(), config.retry().maxTotal(), bound,
                    config.mode().name().toLowerCase());
        }
    }

    private void startPull() {
        ConsumerConfig.Pull pc = config.pull();
        PullSubscriber.Settings settings = new PullSubscriber.Settings(pc.maxOutstandingMessages(), pc.maxOutstandingBytes(),
                pc.parallelPullCount(), pc.executorThreads(), pc.maxAckExtension());
        connection = PubSubConnection.open(pubsub, () -> credentials.isResolvable() ? credentials.get() : null);
        for (SinkBatcher b : batchers.values()) {
            String sub = subscriptionOf(b.sinkName());
            subscribers.add(PullSubscriber.start(b, ProjectSubscriptionName.of(connection.projectId(), sub), settings, connection));
        }
    }

    private String subscriptionOf(String sink) {
        Optional<String> own = Optional.ofNullable(config.sinks().get(sink)).flatMap(ConsumerConfig.SinkOverrides::subscription);
        if (own.isPresent()) {
            return own.get();
        }
        if (batchers.size() == 1 && config.subscription().isPresent()) {
            return config.subscription().get();
        }
        throw new IllegalStateException(batchers.size() == 1
                ? "pull mode needs fanout.consumer.subscription"
                : "pull mode with several sinks needs fanout.consumer.sinks.\"" + sink + "\".subscription");
    }

    BatchPolicy batchPolicy(String sink) {
        ConsumerConfig.Batch d = config.batch();
        Optional<ConsumerConfig.SinkOverrides> o = Optional.ofNullable(config.sinks().get(sink));
        return new BatchPolicy(
                o.flatMap(ConsumerConfig.SinkOverrides::maxEvents).orElse(d.maxEvents()),
                o.flatMap(ConsumerConfig.SinkOverrides::maxBytes).orElse(d.maxBytes()),
                o.flatMap(ConsumerConfig.SinkOverrides::maxAge).orElse(d.maxAge()),
                o.flatMap(ConsumerConfig.SinkOverrides::queueMessages).orElse(d.queueMessages()),
                o.flatMap(ConsumerConfig.SinkOverrides::queueBytes).orElse(d.queueBytes()));
    }

    RetryPolicy retryPolicy() {
        ConsumerConfig.Retry r = config.retry();
        return new RetryPolicy(r.initialBackoff(), r.maxBackoff(), r.maxAttempts(), r.maxTotal());
    }

    synchronized void stop() {
        if (stopping) {
            return;
        }
        stopping = true;
        long deadline = System.nanoTime() + config.shutdownTimeout().toNanos();
        if (local != null) {
            local.drain(min(config.local().drainTimeout(), deadline));
        }
        for (SinkBatcher b : batchers.values()) {
            // Each batcher gets what is left of the common budget.
            boolean clean = b.shutdown(remaining(deadline));
            LOG.infof("sink %s: %s; written %.0f events, acked %.0f, nacked %.0f, quarantined %.0f",
                    b.sinkName(), clean ? "flushed" : "flush incomplete", b.metrics().written(),
                    b.metrics().acked(), b.metrics().nacked(), b.metrics().quarantined());
        }
        for (PullSubscriber s : subscribers) {
            s.stop(remaining(deadline).plusSeconds(1));
        }
        if (connection != null) {
            connection.close();
        }
        if (local != null) {
            local.close();
        }
        for (SinkBatcher b : batchers.values()) {
            try {
                b.sink().close();
            } catch (Exception e) {
                LOG.warnf(e, "sink %s: close failed", b.sinkName());
            }
        }
    }

    private static Duration remaining(long deadlineNanos) {
        return Duration.ofNanos(Math.max(1_000_000L, deadlineNanos - System.nanoTime()));
    }

    private static Duration min(Duration d, long deadlineNanos) {
        Duration r = remaining(deadlineNanos);
        return d.compareTo(r) < 0 ? d : r;
    }

    /** Delivery mode in effect. */
    public ConsumerConfig.Mode mode() {
        return config.mode();
    }

    /** Whether the runtime is up and not shutting down. */
    public boolean accepting() {
        return started && !stopping;
    }

    /** The batcher of a sink, if the app has that sink. */
    public Optional<SinkBatcher> batcher(String sink) {
        return Optional.ofNullable(batchers.get(sink));
    }

    /** The batcher of the app's only sink; empty if it has none or several. */
    public Optional<SinkBatcher> onlyBatcher() {
        return batchers.size() == 1 ? Optional.of(batchers.values().iterator().next()) : Optional.empty();
    }

    public Collection<SinkBatcher> batchers() {
        return Collections.unmodifiableCollection(batchers.values());
    }

    /** The in-process bus (local mode only). */
    public Optional<InProcessBus> localBus() {
        return Optional.ofNullable(local).map(LocalDelivery::bus);
    }

    /** Pull subscribers (pull mode only). */
    public List<PullSubscriber> subscribers() {
        return Collections.unmodifiableList(subscribers);
    }
}
