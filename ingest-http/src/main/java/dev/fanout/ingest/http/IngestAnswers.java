package dev.fanout.ingest.http;

import dev.fanout.ingest.IngestMetrics;
import dev.fanout.ingest.IngestRejection;
import dev.fanout.ingest.RateLimitedLog;
import dev.fanout.ingest.config.IngestConfig;
import jakarta.inject.Singleton;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * How {@code /v1/events} and {@code /v1/envelopes} answer a failure: the JSON error body, Retry-After
 * on 503, WWW-Authenticate on 401, the request metrics and rate-limited logs. One place, so both
 * endpoints keep the same semantics for the same cause.
 */
@Singleton
public class IngestAnswers {

    private static final Logger LOG = Logger.getLogger(IngestResource.class);
    private static final RateLimitedLog OVERLOAD_LOG = new RateLimitedLog(LOG, 10, TimeUnit.SECONDS);
    private static final String WWW_AUTHENTICATE = "Bearer realm=\"fanout-ingest\", Basic realm=\"fanout-ingest\"";

    private final IngestMetrics metrics;
    private final String retryAfterSeconds;

    public IngestAnswers(IngestMetrics metrics, IngestConfig config) {
        this.metrics = metrics;
        long ms = config.retryAfter().toMillis();
        this.retryAfterSeconds = Long.toString(Math.max(1, (ms + 999) / 1000));
    }

    Response error(Throwable t, String requestId) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        IngestRejection r;
        if (t instanceof IngestRejection ir) {
            r = ir;
        } else if (t instanceof UncheckedIOException io) {
            // The connection broke or stalled mid-body (quarkus.http.read-timeout): transient, so 503 and
            // Cribl retries; a 4xx would make it drop the whole body. The sender may not see the answer.
            r = new IngestRejection(503, "body_read_failed", "the request body could not be read: "
                    + io.getCause().getMessage() + "; nothing of this request is acknowledged, retry it");
        } else {
            LOG.errorf(t, "request %s: unexpected failure", requestId);
            r = new IngestRejection(500, "internal_error", "unexpected failure; nothing of this request is acknowledged");
        }
        metrics.rejected(r.code());
        Response.ResponseBuilder b = Response.status(r.status()).type(MediaType.APPLICATION_JSON)
                .entity(new IngestResource.ErrorBody(r.code(), r.getMessage(), requestId));
        if (r.status() == 503) {
            b.header("Retry-After", retryAfterSeconds);
        } else if (r.status() == 401) {
            b.header(HttpHeaders.WWW_AUTHENTICATE, WWW_AUTHENTICATE);
        }
        if (r.status() == 503) {
            // Publish failures and timeouts are logged where they happen; the rest (backpressure,
            // memory budget, overload, broken bodies) come in bursts: one line per code and 10 s.
            if (!r.code().startsWith("publish_")) {
                OVERLOAD_LOG.warn(r.code(), "request " + requestId + " answered 503 " + r.code() + ": " + r.getMessage());
            }
        } else if (r.status() != 401) {
            LOG.infof("request %s rejected %d %s: %s", requestId, r.status(), r.code(), r.getMessage());
        }
        return respond(b, r.status());
    }

    Response respond(Response.ResponseBuilder b, int status) {
        metrics.request(status);
        return b.build();
    }

}
