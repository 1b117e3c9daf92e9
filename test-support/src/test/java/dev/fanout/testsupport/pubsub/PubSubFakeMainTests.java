package dev.fanout.testsupport.pubsub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.cloud.pubsub.v1.Publisher;
import com.google.protobuf.ByteString;
import com.google.pubsub.v1.PubsubMessage;
import com.google.pubsub.v1.PullRequest;
import com.google.pubsub.v1.PullResponse;
import com.google.pubsub.v1.SubscriberGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class PubSubFakeMainTests {

    private static final Pattern LISTENING = Pattern.compile("pubsub-fake listening on (127\\.0\\.0\\.1:\\d+)");

    @Test
    void standaloneProcessAcceptsARealPublisherAndStopsOnSigterm() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                PubSubFakeMain.class.getName(), "--port", "0", "--project", "p", "--topic", "events",
                "--subscription", "s")
                .redirectErrorStream(true)
                .start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8));
            String line = out.readLine();
            assertThat(line).isNotNull().matches(LISTENING);
            Matcher m = LISTENING.matcher(line);
            assertThat(m.matches()).isTrue();
            String hostPort = m.group(1);

            try (PubSubClients clients = new PubSubClients(hostPort)) {
                Publisher publisher = clients.publisher("p", "events", 1, Duration.ofSeconds(10));
                String id = publisher.publish(PubsubMessage.newBuilder()
                        .setData(ByteString.copyFromUtf8("hello")).build()).get(30, TimeUnit.SECONDS);
                assertThat(id).isNotBlank();
            }
            // The pre-created subscription got it.
            ManagedChannel channel = ManagedChannelBuilder.forTarget(hostPort).usePlaintext().build();
            try {
                PullResponse response = SubscriberGrpc.newBlockingStub(channel).pull(PullRequest.newBuilder()
                        .setSubscription("projects/p/subscriptions/s").setMaxMessages(10).build());
                assertThat(response.getReceivedMessagesList()).singleElement()
                        .satisfies(r -> assertThat(r.getMessage().getData().toStringUtf8()).isEqualTo("hello"));
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }

            process.destroy(); // SIGTERM
            assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void startPrintsTheListeningLineAndCreatesResources() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PubSubFake fake = PubSubFakeMain.start(new String[] {"--port", "0", "--project", "p", "--topic", "t",
            "--subscription", "s", "--push-endpoint", "http://127.0.0.1:9/push"},
                new PrintStream(bytes, true, StandardCharsets.UTF_8))) {
            assertThat(bytes.toString(StandardCharsets.UTF_8).trim())
                    .isEqualTo("pubsub-fake listening on " + fake.hostPort());
            assertThat(fake.hasTopic("projects/p/topics/t")).isTrue();
            assertThat(fake.acked("projects/p/subscriptions/s")).isZero();
        }
    }

    @Test
    void badArgumentsAreRejected() {
        PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertThatThrownBy(() -> PubSubFakeMain.start(new String[] {"--bogus"}, out))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--bogus");
        assertThatThrownBy(() -> PubSubFakeMain.start(new String[] {"--port", "x"}, out))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PubSubFakeMain.start(new String[] {"--subscription", "s"}, out))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
