package dev.fanout.consumer.quarkus;

import dev.fanout.consumer.LocalBus;
import dev.fanout.consumer.config.ConsumerConfig;
import dev.fanout.events.port.EventPublisher;
import io.quarkus.arc.properties.IfBuildProperty;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.inject.Typed;
import jakarta.inject.Singleton;

/**
 * Creates the in-process bus. The {@link LocalBus} bean is created only when something injects
 * it (the runtime does in local mode). An app built with {@code fanout.consumer.mode=local} also
 * gets it as its {@link EventPublisher}, which replaces the ingest bridge's default Pub/Sub publisher
 * (that one is a {@code @DefaultBean}).
 */
@ApplicationScoped
public class LocalBusProducer {

    @Produces
    @Singleton
    @Typed(LocalBus.class)
    LocalBus localBus(ConsumerConfig config) {
        ConsumerConfig.Local l = config.local();
        return new LocalBus(new LocalBus.Options(l.maxOutstandingBytes(), l.maxOutstandingMessages(), l.ackDeadline(),
                l.minRedeliveryDelay(), l.maxRedeliveryDelay(), l.dispatchThreads()));
    }

    @Produces
    @Singleton
    @Typed(EventPublisher.class)
    @IfBuildProperty(name = "fanout.consumer.mode", stringValue = "local")
    EventPublisher localPublisher(LocalBus bus) {
        return bus;
    }
}
