package dev.fanout.analytics;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The analytics sink ({@code fanout.analytics.*}): BigQuery through the Storage Write API in the
 * cloud, a DuckDB file locally. Table names and columns are not configurable: they are
 * {@code AnalyticsSchema}, the one definition the deploy's Terraform also reads.
 */
@ConfigMapping(prefix = "fanout.analytics")
public interface AnalyticsConfig {

    /** Where rows go. */
    enum Backend {
        /** BigQuery {@code events_raw} + {@code events} through the Storage Write API default stream. */
        bigquery,
        /** A DuckDB file with the same tables and view ({@code fanout.analytics.duckdb.path}). */
        duckdb
    }

    /**
     * Whether the app has the analytics sink ({@code EventSink} {@code analytics}). Default true;
     * {@code false} leaves it out of local-pipeline (archive and alerts only: no DuckDB file is
     * written and {@code /v1/query} has no tables to read). Public.
     */
    @WithDefault("true")
    boolean enabled();

    /** Backend: {@code bigquery} or {@code duckdb}. Default {@code bigquery} (local-pipeline sets {@code duckdb}). Public. */
    @WithDefault("bigquery")
    Backend backend();

    /** BigQuery settings. */
    BigQuery bigquery();

    /** DuckDB settings (local). */
    DuckDb duckdb();

    /** The local read-only query endpoint {@code POST /v1/query} (DuckDB backend only). */
    Query query();

    interface BigQuery {
        /** Project of the dataset. Default: {@code GOOGLE_CLOUD_PROJECT} / the credentials' project. Public. */
        Optional<String> projectId();

        /**
         * Dataset holding {@code events_raw}, {@code events} and {@code events_dedup}. Default
         * {@code analytics}: the same name as the local DuckDB file's catalog, so
         * {@code FROM analytics.events} runs unchanged on both engines. Public.
         */
        @WithDefault("analytics")
        String dataset();

        /**
         * The dataset's location (e.g. {@code EU}); lets the writer's connection pool pick its region
         * without a {@code GetWriteStream} call. Default: looked up once per dataset. Internal.
         */
        Optional<String> location();

        /**
         * {@code host:port} of a Storage Write API fake: plaintext, no credentials. Local-only;
         * default none (Google's endpoint with Application Default Credentials).
         */
        Optional<String> writeEndpoint();

        /**
         * Base URL of the BigQuery REST API for the schema check, e.g. {@code http://127.0.0.1:8089}
         * of a WireMock (no credentials then). Local-only; default none (Google's).
         */
        Optional<String> restEndpoint();

        /**
         * Upper bound of one AppendRows request, bytes. The server refuses requests of 10 MB and more
         * and the client no longer checks, so batches are split below this. Default 9000000. Internal.
         */
        @WithDefault("9000000")
        int maxAppendBytes();

        /**
         * Share 2–20 connections per region among the writers (one per table) instead of one
         * connection each. Default true. Internal.
         */
        @WithDefault("true")
        boolean connectionPool();

        /** In-stream retries of the Write API client (it does none unless configured). */
        Retry retry();

        /** Live schema check ({@code tables.get}) at start, in readiness and after a schema error. */
        SchemaCheck schemaCheck();
    }

    interface Retry {
        /** Attempts of one append, first included, for UNAVAILABLE, INTERNAL, ABORTED, … and RESOURCE_EXHAUSTED. Default 5. Internal. */
        @WithDefault("5")
        int maxAttempts();

        /** First backoff delay (RESOURCE_EXHAUSTED, and INTERNAL on the default stream). Default 500ms. Internal. */
        @WithDefault("500ms")
        Duration initialDelay();

        /** Backoff multiplier. Default 2.0. Internal. */
        @WithDefault("2.0")
        double multiplier();

        /** Cap of one backoff delay. Default 5s. Internal. */
        @WithDefault("5s")
        Duration maxDelay();

        /**
         * How long an append may wait for the client's in-flight quota (it blocks) and retry before it
         * fails. Keep it below {@code fanout.consumer.retry.max-total}. Default 15s. Internal.
         */
        @WithDefault("15s")
        Duration maxDuration();
    }

    interface SchemaCheck {
        /**
         * Refuse to start when a table is missing, lacks a column or has one of the wrong type (the
         * message carries the DDL to run). Readiness reports the same either way. Default true. Internal.
         */
        @WithDefault("true")
        boolean failStartup();

        /** How long a schema check result is reused (readiness probes, schema errors). Default 60s. Internal. */
        @WithDefault("60s")
        Duration cacheTtl();
    }

    interface DuckDb {
        /** The database file; one process may write it. Default {@code ${FANOUT_DATA_DIR:./data}/analytics.duckdb}. Local-only. */
        @WithDefault("${FANOUT_DATA_DIR:./data}/analytics.duckdb")
        String path();

        /** DuckDB's memory limit for this process (its default is 80% of RAM). Default {@code 256MB}. Local-only. */
        @WithDefault("256MB")
        String memoryLimit();

        /** DuckDB worker threads. Default 1 (writes come from one sink thread; queries are small). Local-only. */
        @WithDefault("1")
        int threads();

        /**
         * WAL size at which DuckDB checkpoints ({@code checkpoint_threshold}): a checkpoint
         * recompresses the partly filled row groups, so DuckDB's 16MB default halved the writer's
         * rows per CPU-second. Committed rows wait in the WAL until then; a restart after a crash
         * replays it. Default {@code 256MB}. Local-only.
         */
        @WithDefault("256MB")
        String checkpointThreshold();
    }

    interface Query {
        /** Serve {@code POST /v1/query} (read-only SQL on the DuckDB file). Default false; local-pipeline enables it. Local-only. */
        @WithDefault("false")
        boolean enabled();

        /**
         * Bearer tokens accepted by {@code /v1/query} (local-pipeline: its ingest tokens). Secret.
         * Required when enabled; every request without one of them gets 401.
         */
        Optional<List<String>> tokens();

        /** Answer only clients on a loopback address (403 for others). Default true. Local-only. */
        @WithDefault("true")
        boolean loopbackOnly();

        /** Rows returned at most; more are cut and flagged {@code "truncated": true}. Default 10000. Local-only. */
        @WithDefault("10000")
        int maxRows();

        /** A query running longer is cancelled (408). Default 30s. Local-only. */
        @WithDefault("30s")
        Duration timeout();

        /** Longest accepted SQL text, characters (413 beyond). Default 65536. Local-only. */
        @WithDefault("65536")
        int maxSqlChars();
    }
}
