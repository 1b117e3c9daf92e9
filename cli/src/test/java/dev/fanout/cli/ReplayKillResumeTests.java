package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.events.Envelope;
import dev.fanout.events.EnvelopeCodec;
import dev.fanout.store.FilesystemObjectStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replay killed with SIGKILL midway and started again with the same run id sends nothing twice
 * that was checkpointed before the kill, and together the two runs send every event.
 */
class ReplayKillResumeTests {

    static final Instant T0 = Instant.parse("2026-11-23T00:00:00Z");

    @TempDir
    Path tmp;

    @Test
    void aKilledRunResumesAfterItsLastCheckpoint() throws Exception {
        Path archive = tmp.resolve("archive");
        List<Envelope> all = TestArchive.events(0, 3000, T0, 6);
        FilesystemObjectStore store = TestArchive.dir(archive, all, 200);
        Path ckpt = tmp.resolve("run.ckpt");
        try (FakeBridge bridge = new FakeBridge()) {
            // Slow enough (rate-limited, one object at a time) to be killed in the middle.
            Process p = start(archive, ckpt, bridge, "--rate", "1500");
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (bridge.accepted.size() < 900 && p.isAlive() && System.nanoTime() < deadline) {
                // Polling another process's progress: no event to wait on.
                Thread.sleep(20);
            }
            p.destroyForcibly();
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as("killed, not finished").isNotZero();
            List<String> firstRun = List.copyOf(bridge.acceptedIds());
            assertThat(firstRun).hasSizeBetween(900, all.size() - 1);

            // What the checkpoint held when the process died.
            Set<String> checkpointedIds = new HashSet<>();
            int doneObjects = 0;
            for (String line : Files.readAllLines(ckpt, StandardCharsets.UTF_8)) {
                JsonNode n;
                try {
                    n = EnvelopeCodec.mapper().readTree(line);
                } catch (Exception cutOff) {
                    continue;
                }
                if ("done".equals(n.path("type").asText())) {
                    doneObjects++;
                    for (String l : TestArchive.gunzipLines(store.get(n.path("key").asText()).orElseThrow().body())) {
                        checkpointedIds.add(EnvelopeCodec.fromJson(l.getBytes(StandardCharsets.UTF_8)).id());
                    }
                }
            }
            assertThat(doneObjects).isPositive();
            assertThat(firstRun).containsAll(checkpointedIds);

            bridge.accepted.clear();
            Process again = start(archive, ckpt, bridge);
            assertThat(again.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(again.exitValue()).as(new String(again.getInputStream().readAllBytes())).isZero();
            List<String> secondRun = bridge.acceptedIds();
            assertThat(secondRun).doesNotContainAnyElementsOf(checkpointedIds).doesNotHaveDuplicates();
            Set<String> union = new HashSet<>(firstRun);
            union.addAll(secondRun);
            assertThat(union).containsExactlyInAnyOrderElementsOf(all.stream().map(Envelope::id).toList());
        }
    }

    private static Process start(Path archive, Path ckpt, FakeBridge bridge, String... extra) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new java.util.ArrayList<>(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                FanoutCli.class.getName(), "replay", "--source", archive.toString(), "--from", T0.toString(),
                "--to", T0.plusSeconds(6 * 3600).toString(), "--to-url", bridge.url().toString(), "--run-id", "killed-run",
                "--checkpoint", ckpt.toString(), "--parallel", "1", "--progress", "none"));
        cmd.addAll(List.of(extra));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("FANOUT_REPLAY_TOKEN", bridge.replayToken);
        pb.environment().keySet().removeIf(k -> k.startsWith("CLOUD_RUN_"));
        return pb.start();
    }
}
