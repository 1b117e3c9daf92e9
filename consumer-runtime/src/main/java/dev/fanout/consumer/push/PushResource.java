package dev.fanout.consumer.push;

import dev.fanout.consumer.Delivery;
import dev.fanout.consumer.SinkBatcher;
import dev.fanout.consumer.config.ConsumerConfig;
import dev.fanout.consumer.quarkus.ConsumerRuntime;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.time.Duration;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Pub/Sub push endpoint: {@code POST /v1/push/{sink}}, and {@code POST /v1/push} when the app has
 * exactly one sink.
 *
 * <p>The request is held open until the batch that contains its message is written: 204 (Pub/Sub
 * acks) once the sink confirmed, 503 (Pub/Sub redelivers) when the write failed, the queue is full
 * or {@code fanout.consumer.push.max-wait} passed. 400 only for a body that is not a push envelope
 * (Pub/Sub redelivers that too; it is logged). 401/403 for a missing/invalid token or a wrong
 * principal when OIDC is on.
 *
 * <p>{@link Blocking}: token verification (JWKS fetch on a cold cache), JSON and base64 run on a
 * worker thread, but the method returns a {@link Uni}, so the wait for the batch holds no thread.
 */
@Path("/v1/push")
public class PushResource {

    private static final Logger LOG = Logger.getLogger(PushResource.class);

    @Inject
    ConsumerRuntime runtime;
    @Inject
    PushAuthenticator auth;

    @POST
    @Path("{sink}")
    @Blocking
    @Consumes(MediaType.WILDCARD)
    public Uni<Response> pushTo(@PathParam("sink") String sink, byte[] body, @Context HttpHeaders headers, @Context UriInfo uri) {
        return handle(runtime.batcher(sink), sink, body, headers, uri);
    }

    @POST
    @Blocking
    @Consumes(MediaType.WILDCARD)
    public Uni<Response> push(byte[] body, @Context HttpHeaders headers, @Context UriInfo uri) {
        return handle(runtime.onlyBatcher(), null, body, headers, uri);
    }

    private Uni<Response> handle(Optional<SinkBatcher> target, String sink, byte[] body, HttpHeaders headers, UriInfo uri) {
        if (runtime.mode() != ConsumerConfig.Mode.PUSH) {
            return done(Response.Status.NOT_FOUND, "push delivery is not enabled (fanout.consumer.mode=" + runtime.mode() + ")");
        }
        if (auth.enabled()) {
            PushTokenVerifier.Result r = auth.verifier().verify(headers.getHeaderString(HttpHeaders.AUTHORIZATION));
            if (r instanceof PushTokenVerifier.Result.Unauthenticated u) {
                LOG.warnf("push to %s rejected with 401: %s", uri.getPath(), u.reason());
                return done(Response.Status.UNAUTHORIZED, "invalid or missing token");
            }
            if (r instanceof PushTokenVerifier.Result.Forbidden f) {
                LOG.warnf("push to %s rejected with 403: %s", uri.getPath(), f.reason());
                return done(Response.Status.FORBIDDEN, "principal not allowed");
            }
        }
        if (target.isEmpty()) {
            String why = sink != null ? "no sink named '" + sink + "'" : "the app has " + runtime.batchers().size()
                    + " sinks; push to /v1/push/{sink}";
            LOG.warnf("push to %s rejected with 404: %s", uri.getPath(), why);
            return done(Response.Status.NOT_FOUND, why);
        }
        SinkBatcher batcher = target.get();
        PushEnvelope.Parsed parsed;
        try {
            parsed = PushEnvelope.parse(body == null ? new byte[0] : body);
        } catch (PushEnvelope.NotAPushEnvelope e) {
            LOG.warnf("push to %s rejected with 400 (%d bytes): %s", uri.getPath(), body == null ? 0 : body.length, e.getMessage());
            return done(Response.Status.BAD_REQUEST, "not a Pub/Sub push envelope: " + e.getMessage());
        }
        Delivery delivery = Delivery.of(parsed.message());
        if (!batcher.offer(delivery)) {
            return done(Response.Status.SERVICE_UNAVAILABLE, "sink " + batcher.sinkName() + " is busy or stopping");
        }
        Duration maxWait = runtime.pushMaxWait();
        return Uni.createFrom().completionStage(delivery.outcome())
                .ifNoItem().after(maxWait).recoverWithItem((Delivery.Outcome) null)
                .map(outcome -> {
                    if (outcome == Delivery.Outcome.ACKED) {
                        return Response.noContent().build();
                    }
                    if (outcome == null) {
                        LOG.warnf("sink %s: message %s not written within push max-wait %s; answering 503",
                                batcher.sinkName(), parsed.message().messageId(), maxWait);
                    }
                    return text(Response.Status.SERVICE_UNAVAILABLE, outcome == null
                            ? "write not confirmed within " + maxWait : "write failed; redeliver");
                });
    }

    private static Uni<Response> done(Response.Status status, String message) {
        return Uni.createFrom().item(text(status, message));
    }

    /** Every answer but 204 carries the JSON error body: {@code {"error": "<status>", "message": "…"}}. */
    private static Response text(Response.Status status, String message) {
        var body = dev.fanout.events.EnvelopeCodec.mapper().createObjectNode()
                .put("error", status.getReasonPhrase().toLowerCase(java.util.Locale.ROOT).replace(' ', '_'))
                .put("message", message);
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body.toString()).build();
    }
}
