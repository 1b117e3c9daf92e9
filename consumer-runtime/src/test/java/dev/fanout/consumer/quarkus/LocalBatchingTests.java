package dev.fanout.consumer.quarkus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.consumer.InProcessBus;
import dev.fanout.consumer.TestEvents;
import dev.fanout.events.port.EventPublisher;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The batching cliff of issue 7: with a configured outstanding bound (10) far below a batch (200
 * one-event messages) and a max-age of an hour, the batch must still close on its count — the
 * subscription's bound is raised to fit the batch. With the bound as configured the bus stops at 10
 * unsettled messages and the batch waits its full hour.
 */
@QuarkusTest
@TestProfile(LocalBatchingTests.SmallBound.class)
class LocalBatchingTests {

    static final int BATCH = 200;

    public static class SmallBound extends LocalModeTests.Local {
        @Override
        protected Map<String, String> extra() {
            return Map.of("fanout.consumer.local.max-outstanding-messages", "10",
                    "fanout.consumer.sinks.\"test\".max-events", Integer.toString(BATCH),
                    "fanout.consumer.sinks.\"test\".max-age", "1h",
                    // the runtime refuses a batch age the ack deadline cannot cover
                    "fanout.consumer.local.ack-deadline", "2h");
        }
    }

    @Inject
    TestSinkBean sink;
    @Inject
    EventPublisher publisher;
    @Inject
    InProcessBus bus;

    @Test
    void aBatchFillsOnCountAlthoughTheConfiguredBoundIsSmaller() throws Exception {
        sink.reset();
        CompletableFuture<?>[] fs = new CompletableFuture<?>[BATCH];
        for (int i = 0; i < BATCH; i++) {
            fs[i] = publisher.publish(TestEvents.single(TestEvents.envelope("cliff-" + i)));
        }
        CompletableFuture.allOf(fs).get(20, TimeUnit.SECONDS);
        assertThat(bus.awaitAllAcked(Duration.ofSeconds(30))).as("acked long before the 1 h max-age").isTrue();
        assertThat(sink.writtenIds()).hasSize(BATCH).doesNotHaveDuplicates();
        assertThat(sink.batches).hasSize(1);
    }
}
