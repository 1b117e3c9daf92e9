package dev.fanout.consumer.quarkus;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.consumer.DurableBus;
import dev.fanout.consumer.InProcessBus;
import dev.fanout.consumer.TestEvents;
import dev.fanout.events.port.EventPublisher;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Local mode: the app's EventPublisher is the in-process bus (by default the durable journal),
 * wired to the sink's batcher. {@link MemoryLocalModeTests} runs the same with the memory bus.
 */
@QuarkusTest
@TestProfile(LocalModeTests.Local.class)
class LocalModeTests {

    public static class Local implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> m = new java.util.HashMap<>(Map.of("fanout.consumer.mode", "local",
                    "fanout.consumer.local.min-redelivery-delay", "1ms",
                    "fanout.consumer.local.max-redelivery-delay", "10ms",
                    "fanout.consumer.local.journal.dir",
                    java.nio.file.Path.of("target", "test-journal", java.util.UUID.randomUUID().toString()).toString()));
            m.putAll(extra());
            return m;
        }

        protected Map<String, String> extra() {
            return Map.of();
        }
    }

    @Inject
    TestSinkBean sink;
    @Inject
    EventPublisher publisher;
    @Inject
    InProcessBus bus;

    @BeforeEach
    void reset() {
        sink.reset();
    }

    @Test
    void publishedEventsAreWrittenAndAckedThroughTheLocalBus() throws Exception {
        assertThat(publisher.outstandingBytes()).isEqualTo(bus.outstandingBytes());
        for (int i = 0; i < 5; i++) {
            publisher.publish(TestEvents.packed(TestEvents.envelopes("l" + i, 4), null)).get(10, TimeUnit.SECONDS);
        }
        assertThat(bus.awaitAllAcked(Duration.ofSeconds(20))).isTrue();
        assertThat(sink.writtenIds()).hasSize(20).doesNotHaveDuplicates();
    }

    @Test
    void aFailedWriteIsRedeliveredByTheBusUntilWritten() throws Exception {
        sink.failNext.set(3); // first write and its retry fail, then the redelivery's first attempt
        publisher.publish(TestEvents.packed(TestEvents.envelopes("f", 3), null)).get(10, TimeUnit.SECONDS);
        assertThat(bus.awaitAllAcked(Duration.ofSeconds(20))).isTrue();
        assertThat(sink.writtenIds()).containsExactly("f-0", "f-1", "f-2");
    }

    @Test
    void theDefaultBusIsTheDurableJournal() {
        assertThat(bus).isInstanceOf(expectedBus());
        assertThat(bus.backlog()).containsOnlyKeys("test");
    }

    protected Class<? extends InProcessBus> expectedBus() {
        return DurableBus.class;
    }

    @Test
    void thePushEndpointIsOffInLocalMode() {
        given().contentType("application/json").body(PushResourceTests.pushBody(TestEvents.received("x", 1), 1))
                .when().post("/v1/push/test").then().statusCode(404);
    }
}
