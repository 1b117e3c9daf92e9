package dev.fanout.consumer.quarkus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.consumer.FakeTopicPublisher;
import dev.fanout.consumer.TestEvents;
import dev.fanout.testsupport.pubsub.PubSubFake;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Pull mode: the app's real StreamingPull Subscriber against the loopback fake. */
@QuarkusTest
@TestProfile(PullModeTests.Pull.class)
class PullModeTests {

    public static class Pull implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(FakePubSubResource.class));
        }
    }

    @Inject
    TestSinkBean sink;

    private PubSubFake fake;
    private FakeTopicPublisher publisher;

    @BeforeEach
    void start() {
        sink.reset();
        fake = FakePubSubResource.fake;
        publisher = new FakeTopicPublisher(fake, FakePubSubResource.PROJECT, FakePubSubResource.TOPIC);
    }

    @AfterEach
    void stop() throws Exception {
        sink.reset();
        publisher.close();
    }

    private static List<String> ids(String prefix, int messages, int perMessage) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < messages; i++) {
            for (int k = 0; k < perMessage; k++) {
                ids.add(prefix + i + "-" + k);
            }
        }
        return ids;
    }

    @Test
    void messagesAreAckedOnlyAfterTheSinkWroteThem() throws Exception {
        String sub = FakePubSubResource.SUBSCRIPTION;
        int ackedBefore = fake.acked(sub);
        sink.inWrite = new CountDownLatch(1);
        sink.gate = new CountDownLatch(1);
        for (int i = 0; i < 3; i++) {
            publisher.publish(TestEvents.packed(TestEvents.envelopes("pa" + i, 4), null));
        }

        assertThat(sink.inWrite.await(20, TimeUnit.SECONDS)).isTrue();
        assertThat(fake.acked(sub)).as("nothing acked while the write is in progress").isEqualTo(ackedBefore);
        assertThat(fake.outstanding(sub)).isPositive();
        sink.gate.countDown();

        fake.awaitAcked(sub, ackedBefore + 3, Duration.ofSeconds(20));
        assertThat(sink.writtenIds()).containsExactlyInAnyOrderElementsOf(ids("pa", 3, 4));
    }

    @Test
    void aFailedWriteIsNackedRedeliveredAndEventuallyWritten() throws Exception {
        String sub = FakePubSubResource.SUBSCRIPTION;
        int ackedBefore = fake.acked(sub);
        int nackedBefore = fake.nacked(sub);
        sink.failNext.set(2); // the first write and its one retry
        publisher.publish(TestEvents.packed(TestEvents.envelopes("pf0", 3), null));

        fake.awaitAcked(sub, ackedBefore + 1, Duration.ofSeconds(30));

        assertThat(fake.nacked(sub)).isGreaterThan(nackedBefore);
        assertThat(sink.writtenIds()).containsExactlyElementsOf(ids("pf", 1, 3));
    }
}
