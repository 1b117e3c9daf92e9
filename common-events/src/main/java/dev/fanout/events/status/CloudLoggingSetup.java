package dev.fanout.events.status;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.Optional;
import java.util.logging.Handler;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;
import org.jboss.logmanager.ExtHandler;

/**
 * Installs {@link CloudLoggingTrace} (trace fields and severity names) on every handler whose formatter is Quarkus' JSON formatter
 * (the prod profile's {@code quarkus.log.console.json.log-format=gcp}), with the GCP project of
 * {@code fanout.pubsub.project-id} (env {@code FANOUT_PUBSUB_PROJECT_ID}), else {@code GOOGLE_CLOUD_PROJECT}.
 * Nothing changes without the gcp JSON format (local runs, tests); without a project it warns once.
 */
@Singleton
public class CloudLoggingSetup {

    private static final Logger LOG = Logger.getLogger(CloudLoggingSetup.class);
    static final String QUARKUS_JSON_FORMATTER = "io.quarkus.logging.json.runtime.JsonFormatter";

    void onStart(@Observes StartupEvent event) {
        var config = ConfigProvider.getConfig();
        boolean gcp = config.getOptionalValue("quarkus.log.console.json.log-format", String.class)
                .map(f -> f.equalsIgnoreCase("gcp")).orElse(false);
        // As PubSubConnection.resolveProject does, less the metadata server (not reachable from here).
        Optional<String> project = config.getOptionalValue("fanout.pubsub.project-id", String.class)
                .or(() -> Optional.ofNullable(System.getenv("GOOGLE_CLOUD_PROJECT")))
                .map(String::strip).filter(p -> !p.isEmpty());
        if (!gcp) {
            return;
        }
        if (project.isEmpty()) {
            LOG.warn("log lines are not correlated with traces: no GCP project (fanout.pubsub.project-id / GOOGLE_CLOUD_PROJECT)");
        }
        // Installed without a project too: the severity names still need Cloud Logging's spelling.
        int n = install(java.util.logging.Logger.getLogger("").getHandlers(), project.orElse(null));
        LOG.debugf("Cloud Logging fields: %d JSON handler(s), project %s", n, project.orElse("(none)"));
    }

    /** Wraps the JSON formatters of these handlers and their children; returns how many. */
    public static int install(Handler[] handlers, String project) {
        int n = 0;
        for (Handler h : handlers) {
            var f = h.getFormatter();
            if (f != null && QUARKUS_JSON_FORMATTER.equals(f.getClass().getName())) {
                h.setFormatter(new CloudLoggingTrace(f, project));
                n++;
            }
            if (h instanceof ExtHandler ext) {
                n += install(ext.getHandlers(), project);
            }
        }
        return n;
    }
}
