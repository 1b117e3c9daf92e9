package dev.fanout.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A journal process killed with SIGKILL mid-stream, five times over the same directory, then opened
 * here: every message whose publish completed is delivered (in a round or at the end), and a message
 * acked before a position checkpoint reached the disk is never delivered again. Redeliveries after a
 * crash are thus bounded by the acks of one checkpoint interval.
 */
class KillNineTest {

    @TempDir
    Path dir;

    @Test
    void everyConfirmedPublishSurvivesRepeatedKillNineAndCheckpointedAcksAreNotRedelivered() throws Exception {
        Path journal = dir.resolve("journal");
        Set<String> published = new HashSet<>();
        Set<String> acked = new HashSet<>();
        Set<String> ackedBeforeDurableCheckpoint = new HashSet<>();
        List<String> violations = new ArrayList<>();
        int redeliveredAfterCrash = 0;
        for (int round = 0; round < 5; round++) {
            Path err = dir.resolve("child-" + round + ".log");
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), CrashChild.class.getName(),
                    journal.toString(), Integer.toString(round), "4")
                    .redirectError(err.toFile()).start();
            Set<String> ackedThisRound = new HashSet<>();
            Set<String> atSnapshot = null;
            int publishedThisRound = 0;
            boolean durableSeen = false;
            boolean killed = false;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    String[] f = line.split(" ");
                    switch (f[0]) {
                        case "P" -> {
                            if (f.length == 2) {
                                published.add(f[1]);
                                publishedThisRound++;
                            }
                        }
                        case "R" -> {
                            if (f.length == 3) {
                                if (ackedBeforeDurableCheckpoint.contains(f[1])) {
                                    violations.add("round " + round + ": " + f[1] + " redelivered (attempt " + f[2] + ")");
                                }
                                if (acked.contains(f[1])) {
                                    redeliveredAfterCrash++;
                                }
                            }
                        }
                        case "A" -> {
                            if (f.length == 2) {
                                ackedThisRound.add(f[1]);
                            }
                        }
                        case "S" -> atSnapshot = new HashSet<>(ackedThisRound);
                        case "D" -> {
                            if (atSnapshot != null) {
                                ackedBeforeDurableCheckpoint.addAll(atSnapshot);
                                durableSeen = true;
                            }
                        }
                        default -> { }
                    }
                    if (!killed && publishedThisRound >= 1500 && durableSeen) {
                        p.toHandle().destroyForcibly(); // SIGKILL, while publishing, consuming and checkpointing
                        killed = true;
                    }
                }
            }
            p.waitFor();
            assertThat(killed).as("round %d was killed; child log: %s", round, tail(err)).isTrue();
            acked.addAll(ackedThisRound);
        }

        Set<String> finalDelivered = new HashSet<>();
        try (DurableLocalBus bus = DurableLocalBus.open(CrashChild.options(journal))) {
            bus.subscribe("archive", d -> {
                String id = Journals.id(d.message().data());
                synchronized (finalDelivered) {
                    finalDelivered.add(id);
                }
                d.ack();
            });
            assertThat(bus.awaitAllAcked(Duration.ofSeconds(60))).isTrue();
            System.out.printf("kill -9 x5: %d published, %d acked in the rounds, %d delivered at the end,"
                            + " %d redeliveries of acked messages, torn tails at the last open: %d (%d bytes)%n",
                    published.size(), acked.size(), finalDelivered.size(), redeliveredAfterCrash,
                    bus.stats().tornTails(), bus.stats().tornBytes());
        }
        for (String id : ackedBeforeDurableCheckpoint) {
            if (finalDelivered.contains(id)) {
                violations.add("final: " + id + " redelivered");
            }
        }
        Set<String> missing = new HashSet<>(published);
        missing.removeAll(acked);
        missing.removeAll(finalDelivered);
        assertThat(published).hasSizeGreaterThan(5 * 1500 - 1);
        assertThat(missing).as("confirmed publishes never delivered").isEmpty();
        assertThat(violations).as("acked before a durable checkpoint, yet redelivered").isEmpty();
    }

    private static String tail(Path p) {
        try {
            List<String> l = Files.readAllLines(p);
            return String.join("\n", l.subList(Math.max(0, l.size() - 20), l.size()));
        } catch (Exception e) {
            return e.toString();
        }
    }
}
