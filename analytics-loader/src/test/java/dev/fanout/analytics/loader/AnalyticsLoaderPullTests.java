package dev.fanout.analytics.loader;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.pubsub.v1.PubsubMessage;
import dev.fanout.analytics.schema.AnalyticsSchema;
import dev.fanout.events.BusMessage;
import dev.fanout.events.Envelope;
import dev.fanout.events.MessageEncoder;
import dev.fanout.events.MessageEncoderOptions;
import dev.fanout.testsupport.events.TestEvents;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Pull mode end to end: messages published to the Pub/Sub fake, pulled by the real Subscriber,
 * written to both tables through the real Write API client, then acked — every unique id counted.
 */
@QuarkusTest
@QuarkusTestResource(value = BigQueryResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = PubSubPullResource.class, restrictToAnnotatedClass = true)
class AnalyticsLoaderPullTests {

    private static final MessageEncoder PACKED = new MessageEncoder(MessageEncoderOptions.defaults());

    @Test
    void publishedMessagesArePulledWrittenToBothTablesAndAcked() throws Exception {
        List<String> expected = new ArrayList<>();
        List<PubsubMessage> messages = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            List<Envelope> events = TestEvents.batch(7_000_000 + i * 1000, 250, Instant.now().minus(20, ChronoUnit.MINUTES), 600_000L);
            events.forEach(e -> expected.add(e.id()));
            for (BusMessage m : PACKED.encode(events, null)) {
                messages.add(PubsubMessage.newBuilder().setData(ByteString.copyFrom(m.data())).putAllAttributes(m.attributes()).build());
            }
        }
        PubSubPullResource.fake.publish("projects/" + PubSubPullResource.PROJECT + "/topics/" + PubSubPullResource.TOPIC, messages);

        assertThat(PubSubPullResource.fake.awaitAcked(PubSubPullResource.SUBSCRIPTION, messages.size(), Duration.ofSeconds(60)))
                .isEqualTo(messages.size());

        Set<Object> raw = new HashSet<>();
        BigQueryResource.fake.rows(AnalyticsSchema.EVENTS_RAW).forEach(r -> raw.add(r.get("id")));
        Set<Object> typed = new HashSet<>();
        BigQueryResource.fake.rows(AnalyticsSchema.EVENTS).forEach(r -> typed.add(r.get("id")));
        assertThat(raw).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(typed).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(expected).hasSize(3000).doesNotHaveDuplicates();
        assertThat(PubSubPullResource.fake.nacked(PubSubPullResource.SUBSCRIPTION)).isZero();
    }
}
