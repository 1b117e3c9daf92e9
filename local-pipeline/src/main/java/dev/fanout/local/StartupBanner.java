package dev.fanout.local;

import dev.fanout.store.FilesystemObjectStore;

import dev.fanout.store.ArchiveConfig;
import dev.fanout.archive.ArchiveSink;
import dev.fanout.ingest.config.IngestConfig;
import dev.fanout.consumer.InProcessBus;
import dev.fanout.consumer.LocalBusMetrics;
import dev.fanout.consumer.config.ConsumerConfig;
import io.quarkus.vertx.http.HttpServerStart;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.SmallRyeConfig;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.jboss.logging.Logger;

/**
 * Prints what a first-time user needs once the HTTP server listens: the ingest URL, the token (only
 * a generated one; a configured token is never printed), a curl to paste, where the archive is and
 * how to read it.
 */
@Singleton
public class StartupBanner {

    private static final Logger LOG = Logger.getLogger(StartupBanner.class);

    private final Config config;
    private final IngestConfig ingest;
    private final ArchiveConfig archiveConfig;
    private final ArchiveSink archive;
    private final LocalPipelineConfig local;
    private final dev.fanout.alerts.AlertConfig alerts;
    private final InProcessBus bus;
    private final ConsumerConfig consumer;
    private volatile String text;

    public StartupBanner(Config config, IngestConfig ingest, ArchiveConfig archiveConfig, ArchiveSink archive,
            LocalPipelineConfig local, dev.fanout.alerts.AlertConfig alerts, InProcessBus bus, ConsumerConfig consumer) {
        this.bus = bus;
        this.consumer = consumer;
        this.config = config;
        this.ingest = ingest;
        this.archiveConfig = archiveConfig;
        this.archive = archive;
        this.local = local;
        this.alerts = alerts;
    }

    /** Quarkus fires this event asynchronously, once the server is bound (so the port is the real one). */
    void onHttpStart(@ObservesAsync HttpServerStart start) {
        text = render(start.options().getPort(), start.options().getHost());
        if (local.banner()) {
            LOG.info(text);
        }
    }

    /** The last banner rendered (for tests); null before the HTTP server started. */
    public String text() {
        return text;
    }

    String render(int port, String host) {
        String shownHost = host == null || host.equals("0.0.0.0") || host.equals("::") ? "localhost" : host;
        // A random port (0) is only known after binding; Quarkus' "Listening on" line shows it.
        String shownPort = port > 0 ? Integer.toString(port) : "<port>";
        String url = "http://" + shownHost + ":" + shownPort + "/v1/events";
        boolean analytics = config.getOptionalValue("fanout.analytics.enabled", Boolean.class).orElse(true);
        StringBuilder b = new StringBuilder(1024);
        b.append("\n\n  Fanout local pipeline: Cribl webhook -> ").append(bus.durable() ? "journal" : "in-memory bus")
                .append(" -> archive")
                .append(analytics ? ", analytics" : "")
                .append(alerts.enabled() ? ", alerts" : "").append("\n\n");
        b.append("  ingest   POST ").append(url).append("  (NDJSON, JSON array, gzip)\n");
        b.append("  200      ").append(acceptedMeans()).append('\n');
        String authHeader;
        if (!ingest.auth().enabled()) {
            b.append("  token    none: fanout.ingest.auth.enabled=false, anyone who can reach the port can ingest\n");
            authHeader = "";
        } else {
            Optional<GeneratedTokenSource> generated = generatedToken();
            if (generated.isPresent()) {
                String token = config.getValue(GeneratedTokenSource.KEY, String.class);
                b.append("  token    ").append(token).append("\n");
                b.append("           (generated; kept in ").append(generated.get().file())
                        .append(", set FANOUT_INGEST_TOKENS to use your own)\n");
                authHeader = " -H 'Authorization: Bearer " + token + "'";
            } else {
                b.append("  token    configured (fanout.ingest.tokens / FANOUT_INGEST_TOKENS); not shown\n");
                authHeader = " -H \"Authorization: Bearer $TOKEN\"";
            }
        }
        b.append("  replay   POST http://").append(shownHost).append(':').append(shownPort).append("/v1/envelopes  ")
                .append(replayTokenMeans()).append('\n');
        long now = System.currentTimeMillis();
        String event = String.format(Locale.ROOT,
                "{\"_time\":%d.%03d,\"_raw\":\"hello from curl\",\"host\":\"laptop\",\"sourcetype\":\"demo\",\"level\":\"warn\"}",
                now / 1000, now % 1000);
        b.append("\n  try it:\n    curl -sS -X POST ").append(url).append(authHeader)
                .append(" -H 'Content-Type: application/x-ndjson' \\\n      --data-binary $'").append(event).append("\\n'\n\n");
        Duration age = config.getOptionalValue("fanout.consumer.sinks.\"" + ArchiveSink.NAME + "\".max-age", Duration.class)
                .or(() -> config.getOptionalValue("fanout.consumer.batch.max-age", Duration.class))
                .orElse(null);
        String when = age == null ? "in batches and on shutdown" : "within ~" + human(age) + " and on shutdown";
        String prefix = archive.layout().prefix();
        if (archiveConfig.backend() == ArchiveConfig.Backend.fs) {
            // Resolved the way FilesystemObjectStore resolves it (the store bean itself is a lazy proxy).
            Path root = Path.of(archiveConfig.fs().dir()).toAbsolutePath().normalize();
            b.append("  archive  ").append(root).append("  (gzip NDJSON, one envelope per line; written ")
                    .append(when).append(")\n");
            b.append("  read it  zcat ").append(root.resolve(prefix)).append("/dt=*/hr=*/*.ndjson.gz | head\n");
        } else {
            String bucket = archiveConfig.s3().bucket().orElse("?");
            b.append("  archive  ").append(archive.store().describe()).append("  (S3 API; gzip NDJSON objects; written ")
                    .append(when).append(")\n");
            b.append("  read it  aws s3 cp s3://").append(bucket).append('/').append(prefix)
                    .append("/dt=…/hr=…/<object>.ndjson.gz - --endpoint-url ")
                    .append(archiveConfig.s3().endpoint().map(Object::toString).orElse("<endpoint>"))
                    .append(" | zcat | head\n");
        }
        // --- analytics (analytics-writer)
        if (analytics && "duckdb".equals(config.getOptionalValue("fanout.analytics.backend", String.class).orElse(null))) {
            Path db = Path.of(config.getValue("fanout.analytics.duckdb.path", String.class)).toAbsolutePath().normalize();
            b.append("  analytics ").append(db).append("  (DuckDB: events_raw, events, events_dedup; docs/analytics.md)\n");
            if (config.getOptionalValue("fanout.analytics.query.enabled", Boolean.class).orElse(false)) {
                b.append("  query    curl -sS -X POST http://").append(shownHost).append(':').append(shownPort).append("/v1/query")
                        .append(authHeader).append(" \\\n      --data-binary 'SELECT sourcetype, COUNT(*) AS n FROM analytics.events GROUP BY sourcetype'\n");
            }
        }
        // --- end analytics
        // --- alerts (alert-engine) ---
        if (alerts.enabled()) {
            String where = alerts.delivery() == dev.fanout.alerts.AlertConfig.DeliveryKind.OUTBOX
                    ? Path.of(alerts.outbox().dir()).toAbsolutePath().normalize() + "  (one .json + .eml per e-mail)"
                    : alerts.delivery().name().toLowerCase(Locale.ROOT);
            b.append("  alerts   ").append(where).append("; ")
                    .append(alerts.rulesFile().map(f -> "rules " + f).orElse("built-in rule: severity >= error"))
                    .append(", budget ").append(alerts.budget().daily()).append("/day\n");
        }
        // --- end alerts ---
        b.append("  status   http://").append(shownHost).append(':').append(shownPort)
                .append("/  (page; the document: /v1/status)\n");
        b.append("  health   http://").append(shownHost).append(':').append(shownPort).append("/q/health\n");
        b.append("  stop     ").append(stopMeans()).append('\n');
        return b.toString();
    }

    /** What a 200 from /v1/events means with this bus (docs/local-bus.md has the whole table). */
    private String acceptedMeans() {
        if (!bus.durable()) {
            return "the events are in memory: SIGTERM writes what the sinks take in time, kill -9 loses the rest ("
                    + bus.describe() + ")";
        }
        String synced = switch (consumer.local().journal().fsync()) {
            case ALWAYS -> "forced to disk before the answer";
            case INTERVAL -> "forced to disk within " + human(consumer.local().journal().fsyncInterval());
            case NEVER -> "written, never forced (a power cut can lose them)";
        };
        return "the events are in the journal " + consumer.local().journal().dir().map(d -> Path.of(d).toAbsolutePath()
                .normalize().toString()).orElse("?") + ", " + synced
                + "; kill -9 or a sink outage loses none, a full journal answers 503 + Retry-After";
    }

    /** What Ctrl-C / SIGTERM does, with the backlog the sinks have not acked right now. */
    String stopMeans() {
        String backlog = LocalBusMetrics.describe(bus.backlog());
        if (!bus.durable()) {
            return "Ctrl-C / SIGTERM: ingest answers 503, the sinks get " + human(consumer.shutdownTimeout())
                    + " to write what was accepted, the rest is lost; backlog now: " + backlog;
        }
        return "Ctrl-C / SIGTERM: ingest answers 503, the sinks get " + human(consumer.shutdownTimeout())
                + " to write what was accepted, the rest stays in the journal for the next start; backlog now: " + backlog;
    }

    /** Where the replay token is; never the token itself (it can choose event ids). */
    private String replayTokenMeans() {
        Optional<GeneratedTokenSource> g = generatedToken(GeneratedTokenSource.REPLAY_KEY, GeneratedTokenSource.REPLAY_NAME);
        if (g.isPresent()) {
            return "(fanout replay --to-url; replay token generated in " + g.get().file() + ")";
        }
        return "(fanout replay --to-url; replay token configured: fanout.ingest.replay-tokens)";
    }

    /** The generated-token source, if that is where the effective {@code fanout.ingest.tokens} comes from. */
    private Optional<GeneratedTokenSource> generatedToken() {
        return generatedToken(GeneratedTokenSource.KEY, GeneratedTokenSource.NAME);
    }

    private Optional<GeneratedTokenSource> generatedToken(String key, String sourceName) {
        ConfigValue v = config.unwrap(SmallRyeConfig.class).getConfigValue(key);
        if (v == null || v.getValue() == null || !sourceName.equals(v.getSourceName())) {
            return Optional.empty();
        }
        for (ConfigSource s : config.getConfigSources()) {
            if (s instanceof GeneratedTokenSource g && g.key().equals(key)) {
                return Optional.of(g);
            }
        }
        return Optional.empty();
    }

    private static String human(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
    }
}
