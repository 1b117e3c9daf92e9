package dev.fanout.ingest.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.fanout.ingest.IngestService;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Cribl Webhook destination endpoint. Runs on a worker thread (reading, inflating and decoding are
 * CPU and blocking I/O) and answers asynchronously once the bus has confirmed the request.
 */
@Path("/v1/events")
public class IngestResource {

    private final IngestService service;
    private final IngestAnswers answers;

    public IngestResource(IngestService service, IngestAnswers answers) {
        this.service = service;
        this.answers = answers;
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
                            ? answers.respond(Response.ok(new AcceptedBody(accepted.accepted(), accepted.malformed(), requestId)), 200)
                            : answers.error(failure, requestId));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(answers.error(e, requestId));
        }
    }

    static long parseLength(String header) {
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
