package dev.fanout.pubsub;

import com.google.api.gax.core.CredentialsProvider;
import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.GrpcTransportChannel;
import com.google.api.gax.rpc.FixedTransportChannelProvider;
import com.google.cloud.ServiceOptions;
import com.google.cloud.pubsub.v1.Publisher;
import com.google.cloud.pubsub.v1.Subscriber;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Where and how this process talks to Pub/Sub: the resolved project, and either real Pub/Sub with
 * the application's credentials or an emulator / the loopback fake over one plaintext channel with
 * no credentials. The bridge's publisher, the consumers' subscribers and the CLI all configure
 * their client builders through this one class, so the rules (project lookup order, emulator
 * wiring) exist once.
 */
public final class PubSubConnection implements AutoCloseable {

    private final String projectId;
    private final String emulatorHost;
    private final ManagedChannel channel;
    private final CredentialsProvider credentials;

    private PubSubConnection(String projectId, String emulatorHost, ManagedChannel channel, CredentialsProvider credentials) {
        this.projectId = projectId;
        this.emulatorHost = emulatorHost;
        this.channel = channel;
        this.credentials = credentials;
    }

    /**
     * @param credentials credentials for real Pub/Sub (null, or a supplier of null, for the client
     *                    library's default: application default credentials); never called with an
     *                    emulator, so tests and local runs need no Google credentials at all
     * @throws IllegalStateException if no project can be found
     */
    public static PubSubConnection open(PubSubConfig config, Supplier<CredentialsProvider> credentials) {
        String project = resolveProject(config);
        String emulator = config.emulatorHost().map(String::strip).filter(h -> !h.isEmpty()).orElse(null);
        if (emulator == null) {
            return new PubSubConnection(project, null, null, credentials == null ? null : credentials.get());
        }
        return emulator(project, emulator);
    }

    /** A connection to an emulator or the loopback fake at {@code hostPort} (tests, tools). */
    public static PubSubConnection emulator(String projectId, String hostPort) {
        ManagedChannel ch = ManagedChannelBuilder.forTarget(hostPort).usePlaintext().build();
        return new PubSubConnection(projectId, hostPort, ch, NoCredentialsProvider.create());
    }

    /** {@code fanout.pubsub.project-id}, else the client library's default project (GOOGLE_CLOUD_PROJECT, metadata server). */
    public static String resolveProject(PubSubConfig config) {
        String project = config.projectId().map(String::strip).filter(p -> !p.isEmpty())
                .orElseGet(ServiceOptions::getDefaultProjectId);
        if (project == null || project.isBlank()) {
            throw new IllegalStateException("No Google Cloud project: set fanout.pubsub.project-id "
                    + "(env FANOUT_PUBSUB_PROJECT_ID) or GOOGLE_CLOUD_PROJECT");
        }
        return project;
    }

    public String projectId() {
        return projectId;
    }

    /** Whether this connection goes to an emulator or the loopback fake. */
    public boolean emulated() {
        return channel != null;
    }

    /** For logs: {@code " via emulator host:port"} or the empty string. */
    public String describe() {
        return emulated() ? " via emulator " + emulatorHost : "";
    }

    public Publisher.Builder configure(Publisher.Builder b) {
        Objects.requireNonNull(b, "builder");
        if (channel != null) {
            b.setChannelProvider(FixedTransportChannelProvider.create(GrpcTransportChannel.create(channel)));
        }
        if (credentials != null) {
            b.setCredentialsProvider(credentials);
        }
        return b;
    }

    public Subscriber.Builder configure(Subscriber.Builder b) {
        Objects.requireNonNull(b, "builder");
        if (channel != null) {
            b.setChannelProvider(FixedTransportChannelProvider.create(GrpcTransportChannel.create(channel)));
        }
        if (credentials != null) {
            b.setCredentialsProvider(credentials);
        }
        return b;
    }

    /** Releases the emulator channel, if any (real Pub/Sub clients own their channels). */
    @Override
    public void close() {
        if (channel == null) {
            return;
        }
        channel.shutdown();
        try {
            if (!channel.awaitTermination(2, TimeUnit.SECONDS)) {
                channel.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            channel.shutdownNow();
        }
    }
}
