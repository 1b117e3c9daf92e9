package dev.fanout.analytics;

import dev.fanout.analytics.bigquery.BigQueryAnalyticsSink;
import dev.fanout.analytics.bigquery.BigQueryClients;
import dev.fanout.analytics.duckdb.DuckDbAnalyticsSink;
import dev.fanout.analytics.duckdb.DuckDbAnalyticsStore;
import io.quarkus.arc.lookup.LookupIfProperty;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Clock;
import org.jboss.logging.Logger;

/**
 * CDI wiring of the analytics {@link AnalyticsSink} (the app's {@code EventSink} named
 * {@value AnalyticsSink#NAME}) for the configured backend. analytics-loader and local-pipeline use
 * this same bean. On BigQuery the live table schemas are checked before the sink is handed out,
 * so a wrong table stops the start with the DDL to run ({@code schema-check.fail-startup}).
 */
@ApplicationScoped
public class AnalyticsBeans {

    private static final Logger LOG = Logger.getLogger(AnalyticsBeans.class);

    @Produces
    @ApplicationScoped
    @LookupIfProperty(name = "fanout.analytics.enabled", stringValue = "true", lookupIfMissing = true)
    AnalyticsSink analyticsSink(AnalyticsConfig config, Instance<DuckDbAnalyticsStore> duckDb) throws Exception {
        AnalyticsSink sink = switch (config.backend()) {
            case duckdb -> new DuckDbAnalyticsSink(duckDb.get(), Clock.systemUTC());
            case bigquery -> bigQuery(config.bigquery());
        };
        LOG.infof("analytics sink: %s", sink.describe());
        return sink;
    }

    private static AnalyticsSink bigQuery(AnalyticsConfig.BigQuery c) throws Exception {
        String project = BigQueryClients.projectId(c);
        BigQueryAnalyticsSink sink = new BigQueryAnalyticsSink(project, c.dataset(), BigQueryClients.writeClient(c),
                BigQueryClients.rest(c, project), c, Clock.systemUTC());
        try {
            sink.checkReady();
        } catch (AnalyticsSchemaException e) {
            if (c.schemaCheck().failStartup()) {
                sink.close();
                throw e;
            }
            LOG.warn("analytics: starting anyway (fanout.analytics.bigquery.schema-check.fail-startup=false); readiness stays DOWN");
        }
        return sink;
    }

    /** analytics-loader's packaged jar leaves DuckDB out (its application.properties): say so, not NoClassDefFoundError. */
    static void requireDuckDb() {
        try {
            Class.forName("org.duckdb.DuckDBConnection", false, AnalyticsBeans.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("fanout.analytics.backend=duckdb, but this build has no DuckDB (the analytics-loader "
                    + "service is packaged without it): use fanout.analytics.backend=bigquery, or the local pipeline "
                    + "(./run-local) for a DuckDB file", e);
        }
    }

    /** The local database file; opened only when something needs it (DuckDB backend, query endpoint). */
    @Produces
    @Singleton
    DuckDbAnalyticsStore duckDbStore(AnalyticsConfig config) throws Exception {
        requireDuckDb();
        AnalyticsConfig.DuckDb d = config.duckdb();
        return DuckDbAnalyticsStore.open(Path.of(d.path()), d.memoryLimit(), d.threads(), d.checkpointThreshold());
    }

    void closeDuckDb(@Disposes DuckDbAnalyticsStore store) throws Exception {
        store.close();
    }
}
