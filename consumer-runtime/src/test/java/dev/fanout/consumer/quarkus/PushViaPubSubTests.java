package dev.fanout.consumer.quarkus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.consumer.FakeTopicPublisher;
import dev.fanout.consumer.TestEvents;
import dev.fanout.consumer.push.TestOidc;
import dev.fanout.testsupport.pubsub.PubSubFake;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real Pub/Sub Publisher → PubSubFake push subscription (with a locally signed OIDC token per
 * request) → this app's push endpoint → the sink. Shares the OIDC profile, so no extra boot.
 */
@QuarkusTest
@TestProfile(PushOidcTests.OidcOn.class)
class PushViaPubSubTests {

    private static final String PROJECT = "fanout-test";
    private static final String TOPIC = "claude-events";

    @Inject
    TestSinkBean sink;

    private PubSubFake fake;
    private FakeTopicPublisher publisher;

    @BeforeEach
    void start() {
        sink.reset();
        fake = PubSubFake.start().pushBackoff(Duration.ofMillis(10), Duration.ofMillis(100));
        publisher = new FakeTopicPublisher(fake, PROJECT, TOPIC);
    }

    @AfterEach
    void stop() throws Exception {
        publisher.close();
        fake.close();
    }

    private String subscribe(String name, boolean withToken) {
        URI endpoint = URI.create("http://127.0.0.1:" + RestAssured.port + "/v1/push/test");
        // The audience configured on the subscription, as the app is configured to expect it.
        return fake.createPushSubscription(PROJECT, name, TOPIC, endpoint,
                withToken ? () -> OidcResource.oidc.token(TestOidc.claims(PushOidcTests.AUDIENCE)) : null, 30);
    }

    @Test
    void publishedMessagesArePushedWrittenAndAcked() throws Exception {
        String sub = subscribe("archive-push", true);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            publisher.publish(TestEvents.packed(TestEvents.envelopes("pp" + i, 5), null));
            for (int k = 0; k < 5; k++) {
                expected.add("pp" + i + "-" + k);
            }
        }

        fake.awaitAcked(sub, 4, Duration.ofSeconds(20));

        assertThat(sink.writtenIds()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(fake.nacked(sub)).isZero();
    }

    @Test
    void aFailingSinkGets503AndTheRedeliveryIsWrittenAndAcked() throws Exception {
        String sub = subscribe("archive-push-fail", true);
        sink.failNext.set(2); // the first write and its one retry
        publisher.publish(TestEvents.packed(TestEvents.envelopes("rf", 3), null));

        fake.awaitAcked(sub, 1, Duration.ofSeconds(20));

        assertThat(fake.nacked(sub)).isGreaterThanOrEqualTo(1);
        assertThat(sink.writtenIds()).containsExactly("rf-0", "rf-1", "rf-2");
    }

    @Test
    void pushesWithoutATokenAreNeverAcked() throws Exception {
        String sub = subscribe("archive-push-anon", false);
        publisher.publish(TestEvents.packed(TestEvents.envelopes("anon", 2), null));

        // Wait for an observable refusal, then check nothing was written or acked.
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (fake.nacked(sub) < 2 && System.nanoTime() < deadline) {
            Thread.sleep(10); // polls the fake's counter; the fake offers no await for nacks
        }
        assertThat(fake.nacked(sub)).isGreaterThanOrEqualTo(2);
        assertThat(fake.acked(sub)).isZero();
        assertThat(sink.writeCalls.get()).isZero();
    }
}
