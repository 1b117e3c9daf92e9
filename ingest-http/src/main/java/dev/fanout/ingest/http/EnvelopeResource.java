package dev.fanout.ingest.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.fanout.ingest.IngestService;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The replay endpoint: NDJSON of envelope v1 (optionally gzip), published as given with
 * {@code replay=<Fanout-Replay>} on every message, answered once the bus confirmed them. Only a replay
 * token opens it ({@link IngestService#authenticateReplay}); body limits, memory budget, 413/400/503
 * and error bodies are those of {@code /v1/events}.
 */
@Path("/v1/envelopes")
public class EnvelopeResource {

    private final IngestService service;
    private final IngestAnswers answers;

    public EnvelopeResource(IngestService service, IngestAnswers answers) {
        this.service = service;
        this.answers = answers;
    }

    @POST
    @Blocking
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public CompletionStage<Response> post(InputStream body, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @HeaderParam(HttpHeaders.CONTENT_ENCODING) String contentEncoding,
            @HeaderParam(HttpHeaders.CONTENT_LENGTH) String contentLength,
            @HeaderParam(IngestService.REPLAY_HEADER) String runId) {
        String requestId = RequestIds.next();
        try {
            service.authenticateReplay(authorization);
            return service.ingestEnvelopes(body, contentEncoding, IngestResource.parseLength(contentLength), requestId,
                            runId == null ? null : runId.strip())
                    .handle((r, failure) -> failure == null
                            ? answers.respond(Response.ok(new ReplayedBody(r.accepted(), r.rejected(), r.rejectedLines(),
                                    r.firstError(), requestId)), 200)
                            : answers.error(failure, requestId));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(answers.error(e, requestId));
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ReplayedBody(int accepted, int rejected, @JsonProperty("rejected_lines") List<Integer> rejectedLines,
            @JsonProperty("first_error") String firstError, @JsonProperty("request_id") String requestId) {}
}
