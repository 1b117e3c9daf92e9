package dev.fanout.alerts;

import dev.fanout.alerts.delivery.DeliveryChannel;
import dev.fanout.alerts.delivery.NotificationDeadLetters;
import dev.fanout.alerts.delivery.ObjectStoreNotificationDeadLetters;
import dev.fanout.alerts.delivery.OutboxChannel;
import dev.fanout.alerts.delivery.ResendClient;
import dev.fanout.alerts.delivery.SmtpChannel;
import dev.fanout.alerts.engine.AlertEngine;
import dev.fanout.alerts.engine.AlertSettings;
import dev.fanout.alerts.rules.RuleSet;
import dev.fanout.alerts.rules.RulesLoader;
import dev.fanout.alerts.rules.Timers;
import dev.fanout.alerts.state.ObjectStoreStateStore;
import dev.fanout.alerts.state.StateManager;
import dev.fanout.alerts.state.StateStore;
import dev.fanout.store.FilesystemObjectStore;
import dev.fanout.store.ObjectStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.lookup.LookupIfProperty;
import io.quarkus.mailer.Mailer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * CDI wiring of the alert sink for alert-sink and local-pipeline: rules, engine, state store,
 * delivery channel, dead letters, the {@link AlertSink} (an {@code EventSink} only while
 * {@code fanout.alerts.enabled=true}) and its {@link AlertScheduler}, started with the app.
 * Singletons: the beans are final classes and records (no client proxies).
 * Misconfiguration (rules file, budget, missing API key) fails the start with one clear message.
 */
@ApplicationScoped
public class AlertBeans {

    private static final Logger LOG = Logger.getLogger(AlertBeans.class);

    @Inject
    AlertConfig config;

    private final Clock clock = Clock.systemUTC();

    @Produces
    @Singleton
    AlertSettings settings() {
        List<String> recipients = config.recipients().orElse(List.of()).stream().map(String::strip)
                .filter(s -> !s.isEmpty()).toList();
        Timers timers = new Timers(config.groupWait(), config.groupInterval(), config.repeatInterval());
        RulesLoader.Defaults defaults = new RulesLoader.Defaults(recipients, timers);
        RuleSet rules = config.rulesFile().filter(f -> !f.isBlank())
                .map(f -> RulesLoader.load(Path.of(f), defaults))
                .orElseGet(() -> RulesLoader.defaults(defaults));
        String from = config.from().filter(f -> !f.isBlank()).orElseThrow(() -> new IllegalStateException(
                "fanout.alerts.from is required (the sender, e.g. 'Fanout alerts <alerts@example.org>')"));
        AlertConfig.Budget b = config.budget();
        return new AlertSettings(rules, recipients, from, b.daily(), b.monthly(), b.criticalReserve(), b.digestWait(),
                config.maxGroups(), config.dedupeMessages(), config.subjectPrefix(),
                new AlertSettings.QueryHints(config.query().bigqueryTable(), config.query().archivePath()));
    }

    @Produces
    @Singleton
    AlertEngine engine(AlertSettings settings) {
        return new AlertEngine(settings);
    }

    @Produces
    @Singleton
    StateManager state(Instance<ObjectStore> objectStore) {
        StateStore store = switch (config.state().backend()) {
            case FILE -> new ObjectStoreStateStore(new FilesystemObjectStore(Path.of(config.state().dir())), "state.json.gz");
            case OBJECT_STORE -> new ObjectStoreStateStore(objectStore.get(), config.state().key());
        };
        return new StateManager(store, clock);
    }

    @Produces
    @Singleton
    DeliveryChannel channel(Instance<Mailer> mailer) {
        return switch (config.delivery()) {
            case RESEND -> {
                AlertConfig.Resend r = config.resend();
                yield new ResendClient(new ResendClient.Settings(r.baseUrl(),
                        r.apiKey().map(s -> s.get()).orElse(null), r.connectTimeout(), r.timeout(), r.maxRequestsPerSecond()));
            }
            case SMTP -> new SmtpChannel(mailer.get());
            case OUTBOX -> new OutboxChannel(Path.of(config.outbox().dir()), clock);
        };
    }

    @Produces
    @Singleton
    NotificationDeadLetters deadLetters(Instance<ObjectStore> objectStore) {
        return new ObjectStoreNotificationDeadLetters(objectStore.get());
    }

    @Produces
    @Singleton
    AlertMetrics metrics(Instance<MeterRegistry> registry) {
        return registry.isResolvable() ? new AlertMetrics(registry.get()) : AlertMetrics.unregistered();
    }

    @Produces
    @Singleton
    AlertScheduler scheduler(AlertEngine engine, StateManager state, DeliveryChannel channel, NotificationDeadLetters deadLetters,
            AlertMetrics metrics) {
        return new AlertScheduler(engine, state, channel, deadLetters, metrics, clock, config.tick(),
                config.state().refresh().toMillis());
    }

    @Produces
    @Singleton
    @LookupIfProperty(name = "fanout.alerts.enabled", stringValue = "true", lookupIfMissing = true)
    AlertSink alertSink(AlertEngine engine, StateManager state, AlertMetrics metrics, AlertScheduler scheduler) {
        metrics.bindGauges(state, engine.budget());
        return new AlertSink(engine, state, metrics, clock, scheduler::wakeUp, config.state().refresh().toMillis());
    }

    void onStart(@Observes StartupEvent ev, Instance<AlertSink> sink, Instance<AlertScheduler> scheduler) {
        if (!config.enabled()) {
            LOG.info("alerts: disabled (fanout.alerts.enabled=false)");
            return;
        }
        AlertSink s = sink.get();
        AlertScheduler sch = scheduler.get();
        LOG.infof("alerts: rules from %s (%d rule(s)), state %s, delivery %s; budget %d/day, %d/month, %d reserved for critical",
                s.engine().settings().rules().source(), s.engine().settings().rules().rules().size(), s.state().store().describe(),
                sch.channel().describe(), config.budget().daily(), config.budget().monthly(), config.budget().criticalReserve());
        sch.start();
    }

    void onStop(@Observes ShutdownEvent ev, Instance<AlertScheduler> scheduler) {
        if (config.enabled() && scheduler.isResolvable()) {
            scheduler.get().close();
        }
    }
}
