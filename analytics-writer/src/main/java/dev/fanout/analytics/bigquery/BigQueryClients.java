package dev.fanout.analytics.bigquery;

import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.InstantiatingGrpcChannelProvider;
import com.google.api.gax.retrying.RetrySettings;
import com.google.cloud.NoCredentials;
import com.google.cloud.ServiceOptions;
import com.google.cloud.bigquery.BigQuery;
import com.google.cloud.bigquery.BigQueryOptions;
import com.google.cloud.bigquery.storage.v1.BigQueryWriteClient;
import com.google.cloud.bigquery.storage.v1.BigQueryWriteSettings;
import dev.fanout.analytics.AnalyticsConfig;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.util.Optional;

/**
 * Builds the Google clients of the analytics sink: the Storage Write API client (gRPC) and the
 * BigQuery REST client for {@code tables.get}. With {@code write-endpoint} / {@code rest-endpoint}
 * set they talk plaintext and without credentials to local fakes, the way
 * {@code PUBSUB_EMULATOR_HOST} works for Pub/Sub.
 */
public final class BigQueryClients {

    private BigQueryClients() {}

    /** The configured project, else the environment's ({@code GOOGLE_CLOUD_PROJECT}, ADC). */
    public static String projectId(AnalyticsConfig.BigQuery c) {
        return c.projectId().filter(s -> !s.isBlank())
                .or(() -> Optional.ofNullable(ServiceOptions.getDefaultProjectId()))
                .orElseThrow(() -> new IllegalStateException(
                        "fanout.analytics.bigquery.project-id is not set and no default project was found (GOOGLE_CLOUD_PROJECT)"));
    }

    public static BigQueryWriteClient writeClient(AnalyticsConfig.BigQuery c) throws IOException {
        BigQueryWriteSettings.Builder b = BigQueryWriteSettings.newBuilder();
        if (c.writeEndpoint().isPresent()) {
            b.setEndpoint(c.writeEndpoint().get())
                    .setCredentialsProvider(NoCredentialsProvider.create())
                    .setTransportChannelProvider(InstantiatingGrpcChannelProvider.newBuilder()
                            .setEndpoint(c.writeEndpoint().get())
                            .setChannelConfigurator(ManagedChannelBuilder::usePlaintext)
                            .build());
        }
        return BigQueryWriteClient.create(b.build());
    }

    public static BigQuery rest(AnalyticsConfig.BigQuery c, String projectId) {
        BigQueryOptions.Builder b = BigQueryOptions.newBuilder().setProjectId(projectId);
        if (c.restEndpoint().isPresent()) {
            b.setHost(c.restEndpoint().get()).setCredentials(NoCredentials.getInstance());
        }
        // The check runs at start and in readiness: fail fast rather than hang a probe.
        b.setRetrySettings(RetrySettings.newBuilder()
                .setMaxAttempts(2)
                .setTotalTimeoutDuration(java.time.Duration.ofSeconds(10))
                .setInitialRetryDelayDuration(java.time.Duration.ofMillis(200))
                .setMaxRetryDelayDuration(java.time.Duration.ofSeconds(1))
                .setRetryDelayMultiplier(2.0)
                .build());
        return b.build().getService();
    }

    /** The writer's in-stream retry settings ({@code fanout.analytics.bigquery.retry.*}). */
    public static RetrySettings appendRetries(AnalyticsConfig.Retry r) {
        return RetrySettings.newBuilder()
                .setMaxAttempts(r.maxAttempts())
                .setInitialRetryDelayDuration(r.initialDelay())
                .setRetryDelayMultiplier(r.multiplier())
                .setMaxRetryDelayDuration(r.maxDelay())
                .build();
    }
}
