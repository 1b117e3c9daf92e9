package dev.fanout.alerts.service;

import dev.fanout.alerts.AlertScheduler;
import dev.fanout.consumer.push.PushAuthenticator;
import dev.fanout.consumer.push.PushTokenVerifier;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * {@code POST /v1/alerts/tick}: runs the alert scheduler once (plan what is due, send the outbox).
 * Cloud Scheduler calls it every minute so that group-wait and retry timers fire while Cloud Run
 * has scaled the service to zero (or throttles its CPU between requests). It accepts the same
 * Google OIDC tokens as the push endpoint ({@code fanout.consumer.push.oidc.*}: give the
 * scheduler job the push service account and audience).
 */
@Path("/v1/alerts/tick")
public class AlertTickResource {

    private static final Logger LOG = Logger.getLogger(AlertTickResource.class);

    @Inject
    AlertScheduler scheduler;
    @Inject
    PushAuthenticator auth;

    @POST
    @Blocking
    public Response tick(@Context HttpHeaders headers) {
        if (auth.enabled()) {
            // The configured push audience: the scheduler's token is minted for it too (never the Host header's URL).
            PushTokenVerifier.Result r = auth.verifier().verify(headers.getHeaderString(HttpHeaders.AUTHORIZATION));
            if (!(r instanceof PushTokenVerifier.Result.Accepted)) {
                return json(Response.Status.UNAUTHORIZED, Map.of("error", "invalid_token"));
            }
        }
        try {
            AlertScheduler.Tick t = scheduler.runOnce();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("planned", t.planned());
            body.put("sent", t.sent());
            body.put("held_back", t.heldBack());
            body.put("dead_lettered", t.deadLettered());
            body.put("failed", t.failed());
            body.put("next_wakeup", java.time.Instant.ofEpochMilli(t.nextWakeupMillis()).toString());
            return json(Response.Status.OK, body);
        } catch (Exception e) {
            LOG.warnf("alert tick failed: %s", e.toString());
            return Response.status(Response.Status.SERVICE_UNAVAILABLE).header("Retry-After", "30")
                    .type(MediaType.APPLICATION_JSON_TYPE).entity(Map.of("error", "unavailable", "message", e.toString())).build();
        }
    }

    private static Response json(Response.Status status, Object body) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
    }
}
