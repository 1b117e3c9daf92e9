package dev.fanout.events.status;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.health.SmallRyeHealth;
import io.smallrye.health.SmallRyeHealthReporter;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * {@code GET /v1/status}: service, version, build time, {@code healthy} (the existing SmallRye
 * checks, liveness and readiness, evaluated once per request) and every {@link StatusContributor}'s
 * section. Always 200 while the process answers: {@code healthy} carries the verdict, so a poller
 * can tell "down" from "unreachable". Unauthenticated like {@code /q/health}; contributors keep
 * secrets and event content out (docs/observability.md lists every field).
 *
 * <p>Lives here, in the one library every service has, so that the bridge, the sinks and the
 * local pipeline (which has both) serve one implementation. The Quarkus types it uses are
 * {@code provided}: the CLI and plain users of this jar never load this class.
 */
@Path("/v1/status")
public class StatusResource {

    private static final Logger LOG = Logger.getLogger(StatusResource.class);

    @Inject
    SmallRyeHealthReporter reporter;
    @Inject
    @Any
    Instance<StatusContributor> contributors;
    @ConfigProperty(name = "quarkus.application.name", defaultValue = "fanout")
    String service;

    /** The version line, once per start, before the first request. */
    void onStart(@Observes StartupEvent event) {
        LOG.info(BuildInfo.current().describe(service));
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response status() {
        Health health = health(reporter.getHealth());
        BuildInfo build = BuildInfo.current();
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("service", service);
        doc.put("version", build.version());
        doc.put("build_time", build.buildTime());
        doc.put("commit_time", build.commitTime());
        doc.put("healthy", health.up());
        doc.put("time", Instant.now().toString());
        for (StatusContributor c : contributors) {
            doc.put(c.section(), c.status(health));
        }
        // A status page polls this every few seconds: never serve a cached verdict.
        return Response.ok(doc).header("Cache-Control", "no-store").build();
    }

    static Health health(SmallRyeHealth h) {
        Map<String, Health.Check> checks = new LinkedHashMap<>();
        JsonValue list = h.getPayload().get("checks");
        if (list instanceof jakarta.json.JsonArray arr) {
            for (JsonValue v : arr) {
                JsonObject c = v.asJsonObject();
                Map<String, Object> data = new LinkedHashMap<>();
                JsonValue d = c.get("data");
                if (d instanceof JsonObject o) {
                    o.forEach((k, x) -> data.put(k, plain(x)));
                }
                checks.put(c.getString("name", "?"), new Health.Check("UP".equals(c.getString("status", "DOWN")), data));
            }
        }
        return new Health(!h.isDown(), checks);
    }

    private static Object plain(JsonValue v) {
        return switch (v.getValueType()) {
            case STRING -> ((JsonString) v).getString();
            case NUMBER -> ((JsonNumber) v).numberValue();
            case TRUE -> Boolean.TRUE;
            case FALSE -> Boolean.FALSE;
            case NULL -> null;
            case ARRAY -> {
                List<Object> l = new ArrayList<>();
                v.asJsonArray().forEach(x -> l.add(plain(x)));
                yield l;
            }
            case OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                v.asJsonObject().forEach((k, x) -> m.put(k, plain(x)));
                yield m;
            }
        };
    }
}
