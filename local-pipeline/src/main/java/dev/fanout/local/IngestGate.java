package dev.fanout.local;

import dev.fanout.ingest.config.IngestConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Closes ingest before the in-process bus is drained on shutdown.
 *
 * <p>The consumer runtime drains the in-process bus (the journal) and flushes every batcher in its
 * {@code ShutdownEvent} observer; from then on the bus refuses publishes, so a request still in
 * flight at that moment would fail with 503 although it arrived before SIGTERM. This observer runs
 * first: it makes every new {@code /v1/events} and {@code /v1/envelopes} request answer 503 with {@code Retry-After}, then
 * waits (at most {@code fanout.local.request-drain-timeout}) until the requests already admitted
 * have been answered, so they finish normally and their messages are on the bus before it drains.
 * Only one process holds both ends of the bus, which is why this ordering lives here and not in the
 * bridge or the consumer runtime.
 */
@Singleton
public class IngestGate {

    private static final Logger LOG = Logger.getLogger(IngestGate.class);

    /** Path of the ingest endpoint (the bridge's {@code IngestResource}). */
    static final String INGEST_PATH = "/v1/events";

    /** Path of the replay endpoint (the bridge's {@code EnvelopeResource}): it publishes to the same bus. */
    static final String ENVELOPES_PATH = "/v1/envelopes";

    /**
     * Before the REST layer (which also sits before {@code RouteConstants.ROUTE_ORDER_DEFAULT}), after
     * Quarkus' own access-log, body and upload-limit handlers.
     */
    static final int ROUTE_ORDER = -1;

    /** Runs before the consumer runtime's shutdown observer (priority 100). */
    static final int SHUTDOWN_PRIORITY = 10;

    private static final String BODY = "{\"error\":\"shutting_down\",\"message\":"
            + "\"the local pipeline is shutting down; retry later\"}";

    private final Object lock = new Object();
    private final String retryAfterSeconds;
    private final Duration drainTimeout;
    private int inFlight;
    private boolean closed;

    public IngestGate(IngestConfig ingest, LocalPipelineConfig local) {
        long ms = ingest.retryAfter().toMillis();
        this.retryAfterSeconds = Long.toString(Math.max(1, (ms + 999) / 1000));
        this.drainTimeout = local.requestDrainTimeout();
    }

    void routes(@Observes Router router) {
        router.route(INGEST_PATH).order(ROUTE_ORDER).handler(this::gate);
        router.route(ENVELOPES_PATH).order(ROUTE_ORDER).handler(this::gate);
    }

    private void gate(io.vertx.ext.web.RoutingContext rc) {
        if (!admit()) {
            rc.response().setStatusCode(503)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .putHeader("Retry-After", retryAfterSeconds)
                    .end(BODY);
            return;
        }
        // Fires once the response is written or the connection is gone, whichever comes first.
        rc.addEndHandler(done -> release());
        rc.next();
    }

    void onShutdown(@Observes @Priority(SHUTDOWN_PRIORITY) ShutdownEvent event) {
        int left = close(drainTimeout);
        if (left > 0) {
            LOG.warnf("%d ingest requests were still in flight after %s; the draining bus refuses what they publish "
                    + "from now on, so their senders get 503 and retry",
                    left, drainTimeout);
        } else {
            LOG.info("ingest closed: new requests get 503, every accepted request has been answered");
        }
    }

    boolean admit() {
        synchronized (lock) {
            if (closed) {
                return false;
            }
            inFlight++;
            return true;
        }
    }

    void release() {
        synchronized (lock) {
            inFlight--;
            if (inFlight == 0) {
                lock.notifyAll();
            }
        }
    }

    /** Refuses new requests and waits for the admitted ones; returns how many are still in flight. */
    int close(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            closed = true;
            try {
                while (inFlight > 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return inFlight;
        }
    }

    /** Requests admitted and not yet answered. */
    public int inFlight() {
        synchronized (lock) {
            return inFlight;
        }
    }

    /** Whether new ingest requests are refused. */
    public boolean closed() {
        synchronized (lock) {
            return closed;
        }
    }
}
