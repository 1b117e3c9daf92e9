package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.events.Envelope;
import dev.fanout.store.FilesystemObjectStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code replay --to-url} against the bridge's replay endpoint contract (a loopback fake of it). */
class ReplayToUrlTests {

    static final Instant T0 = Instant.parse("2026-11-23T00:00:00Z");

    @TempDir
    Path tmp;
    Path archive;
    List<Envelope> all;
    FakeBridge bridge;
    Map<String, String> env;

    @BeforeEach
    void setUp() throws Exception {
        archive = tmp.resolve("archive");
        all = TestArchive.events(0, 2000, T0, 4);
        TestArchive.dir(archive, all, 250);
        bridge = new FakeBridge();
        env = CliRun.env("FANOUT_DATA_DIR", tmp.resolve("data").toString(), "FANOUT_REPLAY_TOKEN", bridge.replayToken);
    }

    @AfterEach
    void tearDown() {
        bridge.close();
    }

    private CliRun replay(Map<String, String> e, String... extra) {
        List<String> args = new ArrayList<>(List.of("replay", "--source", archive.toString(), "--progress", "none",
                "--from", T0.toString(), "--to", T0.plusSeconds(4 * 3600).toString(), "--to-url", bridge.url().toString()));
        args.addAll(Arrays.asList(extra));
        return CliRun.run(e, args.toArray(String[]::new));
    }

    private Set<String> allIds() {
        return all.stream().map(Envelope::id).collect(Collectors.toSet());
    }

    @Test
    void withoutATokenInTheEnvironmentTheLocalPipelinesGeneratedReplayTokenIsUsed() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        CliRun none = replay(CliRun.env("FANOUT_DATA_DIR", data.toString()), "--run-id", "no-token");
        assertThat(none.exit()).as(none.toString()).isNotZero();
        assertThat(none.stderr()).contains("replay-token");
        assertThat(bridge.requests.get()).isZero();

        Files.writeString(data.resolve("replay-token"), bridge.replayToken + "\n");
        CliRun r = replay(CliRun.env("FANOUT_DATA_DIR", data.toString()), "--run-id", "generated-token");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(bridge.acceptedIds()).containsExactlyInAnyOrderElementsOf(allIds());
        assertThat(r.stderr()).doesNotContain(bridge.replayToken);
    }

    @Test
    void everyEventArrivesOnceWithItsIdTimeAndTheRunIdThrough503sAnd413s() throws Exception {
        bridge.fail503 = 5;
        bridge.maxBodyBytes = 40_000;
        CliRun r = replay(env, "--run-id", "test-run.1", "--max-body-bytes", "100000", "--parallel", "3");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(bridge.refused503.get()).isEqualTo(5);
        assertThat(bridge.largestBody).isLessThanOrEqualTo(40_000);
        assertThat(bridge.acceptedIds()).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(allIds());
        assertThat(bridge.accepted).containsExactlyInAnyOrderElementsOf(all);
        assertThat(bridge.replayHeaders).containsOnly("test-run.1");
        // The checkpoint holds every object once.
        Path ckpt = tmp.resolve("data/replay-checkpoints/test-run.1.ndjson");
        List<String> lines = Files.readAllLines(ckpt);
        assertThat(lines.get(0)).contains("\"type\":\"run\"");
        assertThat(lines.stream().filter(l -> l.contains("\"done\"")).count())
                .isEqualTo(new FilesystemObjectStore(archive).list("events/").size());

        // The same run again sends nothing: every object is checkpointed.
        int before = bridge.requests.get();
        CliRun again = replay(env, "--run-id", "test-run.1", "--max-body-bytes", "100000");
        assertThat(again.exit()).as(again.toString()).isZero();
        assertThat(bridge.requests.get()).isEqualTo(before);
        assertThat(again.stderr()).contains("already done");
    }

    @Test
    void bodiesGoUncompressedToLoopbackAndGzipWhenAsked() throws Exception {
        CliRun plain = replay(env, "--run-id", "plain-run");
        assertThat(plain.exit()).as(plain.toString()).isZero();
        assertThat(bridge.encodings).isNotEmpty().containsOnly("identity");
        assertThat(bridge.acceptedIds()).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(allIds());

        bridge.accepted.clear();
        bridge.encodings.clear();
        CliRun gz = replay(env, "--run-id", "gzip-run", "--compress", "gzip");
        assertThat(gz.exit()).as(gz.toString()).isZero();
        assertThat(bridge.encodings).isNotEmpty().containsOnly("gzip");
        assertThat(bridge.accepted).containsExactlyInAnyOrderElementsOf(all);

        CliRun bad = replay(env, "--run-id", "bad-run", "--compress", "zstd");
        assertThat(bad.exit()).as(bad.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(bad.stderr()).contains("auto, gzip or none");
    }

    @Test
    void rejectedEventsAreReportedAndMakeTheRunIncomplete() throws Exception {
        List<String> bad = List.of(all.get(3).id(), all.get(700).id(), all.get(1999).id());
        bridge.rejectIds.addAll(bad);
        CliRun r = replay(env, "--checkpoint", "none");

        assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCodes.INCOMPLETE);
        assertThat(r.stderr()).contains("3 rejected").contains(bad.get(0)).contains("INCOMPLETE");
        assertThat(bridge.acceptedIds()).hasSize(all.size() - 3).doesNotContainAnyElementsOf(bad);
    }

    @Test
    void anOrdinaryIngestTokenIsRefusedAndTheRunStops() {
        CliRun r = replay(CliRun.with(env, "FANOUT_REPLAY_TOKEN", bridge.ingestToken), "--checkpoint", "none");

        assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCodes.FAILED);
        assertThat(r.stderr()).contains("403").contains("replay_token_required").doesNotContain(bridge.ingestToken);
        assertThat(bridge.accepted).isEmpty();
    }

    @Test
    void noReplayTokenIsAUsageErrorBeforeAnyRequest() {
        Map<String, String> noToken = CliRun.env("FANOUT_DATA_DIR", tmp.resolve("data").toString());
        CliRun r = replay(noToken);
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.stderr()).contains("FANOUT_REPLAY_TOKEN");
        assertThat(bridge.requests.get()).isZero();
    }

    @Test
    void aTargetThatStaysDownStopsTheRunWithoutSkippingAndResumesLater() throws Exception {
        bridge.failAll = 503;
        CliRun down = replay(env, "--run-id", "outage", "--retry-for", "2s", "--parallel", "1");
        assertThat(down.exit()).as(down.toString()).isEqualTo(ExitCodes.FAILED);
        assertThat(down.stderr()).contains("still failing").contains("--run-id outage");
        assertThat(bridge.accepted).isEmpty();

        bridge.failAll = 0;
        CliRun later = replay(env, "--run-id", "outage");
        assertThat(later.exit()).as(later.toString()).isZero();
        assertThat(bridge.acceptedIds()).containsExactlyInAnyOrderElementsOf(allIds());
    }

    @Test
    void aResumedRunKeepsItsStoredRangeAndRefusesOtherFilters() throws Exception {
        CliRun first = replay(env, "--run-id", "fixed", "--host", "web-01");
        assertThat(first.exit()).as(first.toString()).isZero();
        CliRun other = replay(env, "--run-id", "fixed", "--host", "web-02");
        assertThat(other.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(other.stderr()).contains("use another --run-id");
    }
}
