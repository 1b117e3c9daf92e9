package dev.fanout.ingest;

import dev.fanout.events.port.EventPublisher;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/** Fails startup on unsafe configuration and creates the publisher before the first request. */
@jakarta.inject.Singleton
public class Startup {

    private static final Logger LOG = Logger.getLogger(Startup.class);

    /** Refuses to run prod (the packaged app) with auth on and no token; dev and test only warn. */
    static void checkAuth(boolean authMisconfigured, LaunchMode mode) {
        if (!authMisconfigured) {
            return;
        }
        String msg = "fanout.ingest.auth.enabled=true but no token is configured: set fanout.ingest.tokens "
                + "(env FANOUT_INGEST_TOKENS, comma-separated) or explicitly set fanout.ingest.auth.enabled=false";
        if (mode == LaunchMode.NORMAL) {
            throw new IllegalStateException(msg);
        }
        LOG.warn(msg + " (every request will get 401)");
    }

    void onStart(@Observes StartupEvent event, IngestService service, EventPublisher publisher) {
        checkAuth(service.authMisconfigured(), LaunchMode.current());
        // Touching the bean builds the long-lived publisher now rather than on the first request.
        LOG.debugf("event publisher %s ready: %s", publisher.getClass().getSimpleName(), publisher.healthy());
    }
}
