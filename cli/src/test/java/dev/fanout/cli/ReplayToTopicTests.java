package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.pubsub.v1.PubsubMessage;
import dev.fanout.events.Attributes;
import dev.fanout.events.Envelope;
import dev.fanout.events.MessageDecoder;
import dev.fanout.events.MessageEncoderOptions;
import dev.fanout.events.PubSubLimits;
import dev.fanout.testsupport.pubsub.PubSubFake;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code replay --to-topic} through the real Pub/Sub Publisher against the loopback gRPC fake. */
class ReplayToTopicTests {

    static final Instant T0 = Instant.parse("2026-11-23T00:00:00Z");
    static final String PROJECT = "replay-project";

    @TempDir
    Path tmp;
    Path archive;
    List<Envelope> all;
    PubSubFake fake;
    Map<String, String> env;

    @BeforeEach
    void setUp() throws Exception {
        archive = tmp.resolve("archive");
        // 12,000 events in one hour, archived in objects of 6,000: more than one packed message each.
        all = TestArchive.events(0, 12_000, T0, 1);
        TestArchive.dir(archive, all, 6_000);
        fake = PubSubFake.start();
        fake.createTopic(PROJECT, "claude-events");
        fake.createTopic(PROJECT, "other-topic");
        env = CliRun.env("FANOUT_DATA_DIR", tmp.resolve("data").toString(),
                "FANOUT_PUBSUB_EMULATOR_HOST", fake.hostPort(), "FANOUT_PUBSUB_PROJECT_ID", PROJECT);
    }

    @AfterEach
    void tearDown() {
        fake.close();
    }

    private CliRun replay(String... extra) {
        List<String> args = new ArrayList<>(List.of("replay", "--source", archive.toString(), "--progress", "none",
                "--from", T0.toString(), "--to", T0.plusSeconds(3600).toString(), "--checkpoint", "none"));
        args.addAll(List.of(extra));
        return CliRun.run(env, args.toArray(String[]::new));
    }

    @Test
    void packedLikeTheBridgeWithinLimitsAndMarkedWithTheRunId() throws Exception {
        CliRun r = replay("--to-topic", "--run-id", "topic-run");
        assertThat(r.exit()).as(r.toString()).isZero();

        List<PubsubMessage> msgs = fake.published("projects/" + PROJECT + "/topics/claude-events");
        List<Envelope> got = new ArrayList<>();
        for (PubsubMessage m : msgs) {
            Map<String, String> a = m.getAttributesMap();
            assertThat(a).containsEntry(Attributes.REPLAY, "topic-run").containsEntry(Attributes.SCHEMA, "1")
                    .containsEntry(Attributes.ENCODING, Attributes.ENCODING_NDJSON_GZIP).containsKey(Attributes.MAX_SEVERITY);
            List<Envelope> events = MessageDecoder.decode(m.getData().toByteArray(), a);
            assertThat(a.get(Attributes.COUNT)).isEqualTo(Integer.toString(events.size()));
            assertThat(events.size()).isLessThanOrEqualTo(MessageEncoderOptions.DEFAULT_MAX_PACKED_EVENTS);
            assertThat(m.getSerializedSize()).isLessThan(PubSubLimits.MAX_MESSAGE_BYTES);
            got.addAll(events);
        }
        assertThat(msgs.size()).isGreaterThanOrEqualTo(3);
        assertThat(got).containsExactlyInAnyOrderElementsOf(all);
        assertThat(fake.published("projects/" + PROJECT + "/topics/other-topic")).isEmpty();
    }

    @Test
    void eventModeAndANamedTopic() throws Exception {
        CliRun r = replay("--to-topic", "other-topic", "--packing", "event", "--host", "web-01");
        assertThat(r.exit()).as(r.toString()).isZero();
        List<PubsubMessage> msgs = fake.published("projects/" + PROJECT + "/topics/other-topic");
        Set<String> expected = new HashSet<>(all.stream().filter(e -> "web-01".equals(e.host())).map(Envelope::id).toList());
        assertThat(msgs).as(r.toString()).hasSize(expected.size());
        for (PubsubMessage m : msgs) {
            assertThat(m.getAttributesMap()).containsEntry(Attributes.ENCODING, Attributes.ENCODING_JSON)
                    .containsEntry(Attributes.HOST, "web-01").containsKey(Attributes.REPLAY);
            assertThat(expected).contains(m.getAttributesMap().get(Attributes.EVENT_ID));
        }
    }

    @Test
    void transientPublishFailuresAreRetriedAndNothingIsLost() throws Exception {
        fake.failNextPublishes(6, Status.UNAVAILABLE);
        CliRun r = replay("--to-topic", "--retry-for", "2m");
        assertThat(r.exit()).as(r.toString()).isZero();
        Set<String> ids = new HashSet<>();
        for (PubsubMessage m : fake.published("projects/" + PROJECT + "/topics/claude-events")) {
            MessageDecoder.decode(m.getData().toByteArray(), m.getAttributesMap()).forEach(e -> ids.add(e.id()));
        }
        assertThat(ids).containsExactlyInAnyOrderElementsOf(all.stream().map(Envelope::id).toList());
    }

    @Test
    void aPermanentPublishErrorStopsTheRun() {
        fake.failAllPublishes(Status.PERMISSION_DENIED);
        CliRun r = replay("--to-topic");
        assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCodes.FAILED);
        assertThat(r.stderr()).contains("PERMISSION_DENIED").contains("INCOMPLETE");
    }
}
