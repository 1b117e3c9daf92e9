package dev.fanout.consumer.quarkus;

import com.google.api.gax.core.CredentialsProvider;
import dev.fanout.consumer.BatchPolicy;
import dev.fanout.consumer.ConsumerMetrics;
import dev.fanout.consumer.InProcessBus;
import dev.fanout.consumer.Intake;
import dev.fanout.consumer.RetryPolicy;
import dev.fanout.consumer.SinkBatcher;
import dev.fanout.consumer.WriteTracing;
import dev.fanout.consumer.config.ConsumerConfig;
import dev.fanout.consumer.config.DeadlineCheck;
import dev.fanout.consumer.deadletter.DeadLetters;
import dev.fanout.consumer.deadletter.ObjectStoreDeadLetters;
import dev.fanout.consumer.pull.PullIntake;
import dev.fanout.consumer.pull.PullSubscriber;
import dev.fanout.consumer.push.PushIntake;
import dev.fanout.events.port.EventSink;
import dev.fanout.pubsub.PubSubConfig;
import dev.fanout.pubsub.PubSubConnection;
import dev.fanout.store.ArchiveConfig;
import dev.fanout.store.ArchiveLayout;
import dev.fanout.store.DeadLetterLayout;
import dev.fanout.store.ObjectStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jboss.logging.Logger;

/**
 * Wires every {@link EventSink} bean of the app to a {@link SinkBatcher}, the runtime's one
 * dead-letter store and the configured {@link Intake} (push, pull or local). Startup refuses
 * deadlines that cannot compose (see {@link DeadlineCheck}). On shutdown it stops intake (new
 * messages are held, never nacked), flushes every batcher in parallel within
 * {@code fanout.consumer.shutdown-timeout}, closes the intake and then the sinks.
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
    @Inject
    Instance<ObjectStore> objectStore;
    @Inject
    Instance<ArchiveConfig> archiveConfig;
    @Inject
    Instance<DeadLetters> deadLetterOverride;

    private final Map<String, SinkBatcher> batchers = new LinkedHashMap<>();
    private Intake intake;
    private DeadLetters deadLetters;
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
        List<EventSink> sinks = new ArrayList<>();
        for (EventSink sink : sinkBeans) {
            sinks.add(sink);
        }
        if (sinks.isEmpty()) {
            LOG.warn("consumer runtime: the app declares no EventSink bean; nothing will be consumed");
        } else {
            deadLetters = deadLetters();
        }
        WriteTracing tracing = new WriteTracing(otel.isResolvable() ? otel.get() : OpenTelemetry.noop());
        for (EventSink sink : sinks) {
            String name = sink.name();
            if (batchers.containsKey(name)) {
                throw new IllegalStateException("two EventSink beans are named '" + name + "'");
            }
            BatchPolicy p = batchPolicy(name);
            RetryPolicy r = retryPolicy(name);
            DeadlineCheck.require(config, name, p.maxAge(), r.maxTotal(), p.writeTimeout());
            ConsumerMetrics metrics = registry.isResolvable()
                    ? new ConsumerMetrics(registry.get(), name) : ConsumerMetrics.unregistered(name);
            batchers.put(name, new SinkBatcher(sink, p, r, deadLetters, metrics, tracing));
            LOG.infof("sink %s: batches of up to %d events / %d bytes / %s, %d writer(s), write timeout %s, mode %s",
                    name, p.maxEvents(), p.maxBytes(), p.maxAge(), p.writers(), p.writeTimeout(),
                    config.mode().name().toLowerCase());
        }
        batchers.values().forEach(SinkBatcher::start);
        intake = switch (config.mode()) {
            case PUSH -> new PushIntake();
            case PULL -> new PullIntake(
                    () -> PubSubConnection.open(pubsub, () -> credentials.isResolvable() ? credentials.get() : null),
                    this::subscriptionOf, pullSettings());
            case LOCAL -> new LocalDelivery(localBus.get(), config.local(), registry.isResolvable() ? registry.get() : null);
        };
        try {
            intake.start(batchers.values());
        } catch (Exception e) {
            throw new IllegalStateException("consumer runtime: " + config.mode().name().toLowerCase() + " delivery did not start: "
                    + e.getMessage(), e);
        }
        started = true;
    }

    /** The dead-letter store: a test's own bean, else gzip NDJSON in the archive's object store. */
    private DeadLetters deadLetters() {
        if (deadLetterOverride.isResolvable()) {
            return deadLetterOverride.get();
        }
        ArchiveConfig ac = archiveConfig.get();
        DeadLetterLayout layout = DeadLetterLayout.beside(new ArchiveLayout(ac.prefix()), ac.deadLetterPrefix());
        ObjectStoreDeadLetters dl = new ObjectStoreDeadLetters(objectStore.get(), layout, Clock.systemUTC());
        LOG.infof("dead-letter store: %s", dl.describe());
        return dl;
    }

    private PullSubscriber.Settings pullSettings() {
        ConsumerConfig.Pull pc = config.pull();
        return new PullSubscriber.Settings(pc.maxOutstandingMessages(), pc.maxOutstandingBytes(),
                pc.parallelPullCount(), pc.executorThreads(), pc.maxAckExtension(), pc.restartInitialBackoff(),
                pc.restartMaxBackoff());
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
                o.flatMap(ConsumerConfig.SinkOverrides::queueBytes).orElse(d.queueBytes()),
                o.flatMap(ConsumerConfig.SinkOverrides::writers).orElse(d.writers()),
                o.flatMap(ConsumerConfig.SinkOverrides::writeTimeout).orElse(d.writeTimeout()));
    }

    RetryPolicy retryPolicy(String sink) {
        ConsumerConfig.Retry r = config.retry();
        Optional<ConsumerConfig.RetryOverrides> o = Optional.ofNullable(config.sinks().get(sink)).map(ConsumerConfig.SinkOverrides::retry);
        return new RetryPolicy(
                o.flatMap(ConsumerConfig.RetryOverrides::initialBackoff).orElse(r.initialBackoff()),
                o.flatMap(ConsumerConfig.RetryOverrides::maxBackoff).orElse(r.maxBackoff()),
                o.flatMap(ConsumerConfig.RetryOverrides::maxAttempts).orElse(r.maxAttempts()),
                o.flatMap(ConsumerConfig.RetryOverrides::maxTotal).orElse(r.maxTotal()));
    }

    synchronized void stop() {
        if (stopping) {
            return;
        }
        stopping = true;
        long deadline = System.nanoTime() + config.shutdownTimeout().toNanos();
        if (intake != null) {
            try {
                intake.stopIntake(remaining(deadline));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // Intake first everywhere, so nothing new arrives while the final batches are written.
        batchers.values().forEach(SinkBatcher::stopIntake);
        List<CompletableFuture<Void>> flushes = new ArrayList<>();
        for (SinkBatcher b : batchers.values()) {
            // In parallel: each sink gets the whole remaining budget, not what the previous one left.
            flushes.add(CompletableFuture.runAsync(() -> {
                boolean clean = b.shutdown(remaining(deadline));
                LOG.infof("sink %s: %s; written %.0f events, acked %.0f, nacked %.0f, dead-lettered %.0f",
                        b.sinkName(), clean ? "flushed" : "flush incomplete", b.metrics().written(),
                        b.metrics().acked(), b.metrics().nacked(), b.metrics().deadLettered());
            }, runnable -> {
                Thread t = new Thread(runnable, "fanout-flush-" + b.sinkName());
                t.setDaemon(true);
                t.start();
            }));
        }
        CompletableFuture.allOf(flushes.toArray(CompletableFuture[]::new)).join();
        if (intake != null) {
            intake.close(remaining(deadline).plusSeconds(1));
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

    /** Delivery mode in effect. */
    public ConsumerConfig.Mode mode() {
        return config.mode();
    }

    /** How long a push request waits for its batch (configured, else the ack deadline minus a margin). */
    public Duration pushMaxWait() {
        return DeadlineCheck.pushMaxWait(config.push());
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

    /** What keeps a sink's delivery from working (e.g. its pull subscriber restarting); null when fine. */
    public String deliveryProblem(String sink) {
        return intake == null ? "not started" : intake.problem(sink);
    }

    /** The in-process bus (local mode only). */
    public Optional<InProcessBus> localBus() {
        return intake instanceof LocalDelivery l ? Optional.of(l.bus()) : Optional.empty();
    }

    /** Pull subscribers (pull mode only). */
    public List<PullSubscriber> subscribers() {
        return intake instanceof PullIntake p ? p.subscribers() : List.of();
    }
}
