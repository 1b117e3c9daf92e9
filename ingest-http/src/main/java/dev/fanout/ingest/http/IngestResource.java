package dev.fanout.ingest.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.fanout.ingest.IngestMetrics;
import dev.fanout.ingest.IngestRejection;
import dev.fanout.ingest.IngestService;
import dev.fanout.ingest.RateLimitedLog;
import dev.fanout.ingest.config.IngestConfig;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Cribl Webhook destination endpoint. Runs on a worker thread (reading, inflating and decoding are
 * CPU and blocking I/O) and answers asynchronously once the bus has confirmed the request.
 */
@Path("/v1/events")
public class IngestResource {

    private static final Logger LOG = Logger.getLogger(IngestResource.class);
    private static final RateLimitedLog OVERLOAD_LOG = new RateLimitedLog(LOG, 10, TimeUnit.SECONDS);
    private static final String WWW_AUTHENTICATE = "Bearer realm=\"fanout-ingest\", Basic realm=\"fanout-ingest\"";

    private final IngestService service;
    private final IngestMetrics metrics;
    private final String retryAfterSeconds;

    public IngestResource(IngestService service, IngestMetrics metrics, IngestConfig config) {
        this.service = service;
        this.metrics = metrics;
        long ms = config.retryAfter().toMillis();
        this.retryAfterSeconds = Long.toString(Math.max(1, (ms + 999) / 1000));
    }

    @POST
    @Blocking
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public CompletionStage<Response> post(InputStream body, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @HeaderParam(HttpHeaders.CONTENT_ENCODING) String contentEncoding,
            @HeaderParam(HttpHeaders.CONTENT_LENGTH) String contentLength) {
        return handle(body, authorization, contentEncoding, contentLength);
    }

    /** Cribl's Webhook destination can be switched to PUT. */
    @PUT
    @Blocking
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public CompletionStage<Response> put(InputStream body, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @HeaderParam(HttpHeaders.CONTENT_ENCODING) String contentEncoding,
            @HeaderParam(HttpHeaders.CONTENT_LENGTH) String contentLength) {
        return handle(body, authorization, contentEncoding, contentLength);
    }

    private CompletionStage<Response> handle(InputStream body, String authorization, String contentEncoding,
            String contentLength) {
        String requestId = RequestIds.next();
        try {
            service.authenticate(authorization);
            return service.ingest(body, contentEncoding, parseLength(contentLength), requestId)
                    .handle((accepted, failure) -> failure == null
                            ? respond(Response.ok(new AcceptedBody(accepted.accepted(), accepted.malformed(), requestId)), 200)
                            : error(failure, requestId));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(error(e, requestId));
        }
    }

    private Response error(Throwable t, String requestId) {
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
                .entity(new ErrorBody(r.code(), r.getMessage(), requestId));
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

    private Response respond(Response.ResponseBuilder b, int status) {
        metrics.request(status);
        return b.build();
    }

    private static long parseLength(String header) {
        if (header == null || header.isBlank()) {
            return -1;
        }
        try {
            return Long.parseLong(header.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    public record AcceptedBody(int accepted, int malformed, @JsonProperty("request_id") String requestId) {}

    public record ErrorBody(String error, String message, @JsonProperty("request_id") String requestId) {}
}
