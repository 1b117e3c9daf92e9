package dev.fanout.ingest.publish;

import com.google.api.gax.core.CredentialsProvider;
import dev.fanout.events.port.EventPublisher;
import dev.fanout.ingest.config.IngestConfig;
import dev.fanout.pubsub.PubSubConfig;
import dev.fanout.pubsub.PubSubConnection;
import dev.fanout.pubsub.PubSubEventPublisher;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import org.jboss.logging.Logger;

/**
 * Chooses the bus adapter. It is a {@link DefaultBean}: an app that composes this module with its
 * own bus (local-pipeline's in-process bus) simply declares another {@link EventPublisher} bean and
 * this producer steps aside; otherwise {@code fanout.ingest.publisher} picks one.
 */
@ApplicationScoped
public class PublisherProducer {

    private static final Logger LOG = Logger.getLogger(PublisherProducer.class);

    @Produces
    @DefaultBean
    @Singleton
    EventPublisher eventPublisher(IngestConfig ingest, PubSubConfig pubsub, Instance<CredentialsProvider> credentials) {
        String kind = ingest.publisher().strip().toLowerCase(Locale.ROOT);
        switch (kind) {
            case "blackhole":
                // Startup warns, and refuses it in prod without fanout.unsafe.blackhole-publisher=true.
                return new BlackholeEventPublisher();
            case "pubsub":
                PubSubConnection connection = PubSubConnection.open(pubsub, () -> credentials.isResolvable() ? credentials.get() : null);
                try {
                    PubSubEventPublisher p = PubSubEventPublisher.create(pubsub, connection);
                    LOG.infof("Publishing to projects/%s/topics/%s%s", connection.projectId(), pubsub.topic(), connection.describe());
                    return p;
                } catch (IOException | RuntimeException e) {
                    connection.close();
                    if (e instanceof IOException io) {
                        throw new UncheckedIOException("cannot create the Pub/Sub publisher", io);
                    }
                    throw (RuntimeException) e;
                }
            default:
                throw new IllegalArgumentException("fanout.ingest.publisher must be pubsub or blackhole, got '" + kind + "'");
        }
    }

    void close(@Disposes EventPublisher publisher) throws Exception {
        if (publisher instanceof AutoCloseable c) {
            c.close();
        }
    }
}
