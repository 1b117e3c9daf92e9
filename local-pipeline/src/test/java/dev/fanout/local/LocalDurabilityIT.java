package dev.fanout.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.events.Envelope;
import dev.fanout.events.EnvelopeCodec;
import dev.fanout.testsupport.s3.S3ProxyProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a 200 from the packaged local pipeline means, tried the way issue 7 found it broken: a
 * backlog at SIGTERM, kill -9 under load, the S3 backend down under load, a torn journal tail.
 * Every test counts the unique ids of the events answered 200 and finds every one of them in the
 * archive (at-least-once: a redelivered message may be written twice, never missing).
 */
class LocalDurabilityIT {

    private static final Duration ARCHIVED_WITHIN = Duration.ofSeconds(90);
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(90);

    private final Path dataDir = Path.of("target", "it-data", "durability-" + UUID.randomUUID()).toAbsolutePath();
    private PipelineProcess app;
    private S3ProxyProcess s3;

    @AfterEach
    void cleanUp() throws Exception {
        if (app != null) {
            app.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    void aBacklogAtSigtermIsKeptInTheJournalAndArchivedAfterTheRestart() throws Exception {
        // No batch is due before the SIGTERM (60 s max-age, fewer events than a batch), and the
        // shutdown budget is too short to write them: the whole backlog must survive in the journal.
        app = new PipelineProcess(dataDir, List.of(), Map.of()).start(List.of(
                "fanout.consumer.sinks.\"archive\".max-age=60s", "fanout.consumer.sinks.\"analytics\".max-age=60s",
                "fanout.consumer.sinks.\"alerts\".max-age=60s", "fanout.consumer.shutdown-timeout=1ms",
                // the runtime refuses a batch age its ack deadline cannot cover (age + retries + write timeout)
                "fanout.consumer.local.ack-deadline=5m"));
        Load load = new Load(app.ingest(), app.token(), 4, "sigterm");
        awaitAccepted(load, 3_000);
        load.close();
        int status = app.sigterm(EXIT_TIMEOUT);
        String first = app.runLog();
        assertThat(status).as("exit status; log:%n%s", first).isIn(0, 143);
        assertThat(first).containsPattern("kept in the journal for the next start: .*archive [1-9]")
                .doesNotContain("lost with this process");
        Set<String> afterFirst = archivedIds(dataDir.resolve("archive"));
        assertThat(afterFirst).as("the backlog was not written before the restart").doesNotContainAnyElementsOf(load.acceptedIds);

        app.start();
        assertThat(app.runLog()).contains("delivering the backlog of an earlier run");
        awaitArchived(dataDir.resolve("archive"), load.acceptedIds);
    }

    @Test
    void killNineUnderLoadFiveTimesLosesNothingAnswered200() throws Exception {
        app = new PipelineProcess(dataDir, List.of(), Map.of());
        Set<String> accepted = new HashSet<>();
        for (int round = 0; round < 5; round++) {
            app.start();
            Load load = new Load(app.ingest(), app.token(), 4, "kill" + round);
            awaitAccepted(load, 1_000);
            app.kill9(); // mid-stream: requests in flight get no answer and are not counted
            load.close();
            accepted.addAll(load.acceptedIds);
        }
        app.start();
        awaitArchived(dataDir.resolve("archive"), accepted);
    }

    @Test
    void anS3OutageUnderLoadIsRiddenOutInTheJournal() throws Exception {
        String jar = System.getProperty(S3ProxyProcess.JAR_PROPERTY);
        assertThat(jar).as("system property %s (failsafe sets it; run with verify)", S3ProxyProcess.JAR_PROPERTY).isNotNull();
        Path s3Dir = dataDir.resolve("s3proxy");
        s3 = S3ProxyProcess.start(Path.of(jar), s3Dir, false);
        String bucket = "fanout-archive";
        Files.createDirectories(s3.dataDir().resolve(bucket));
        app = new PipelineProcess(dataDir, List.of(), Map.of(
                "FANOUT_ARCHIVE_BACKEND", "s3",
                "FANOUT_ARCHIVE_S3_ENDPOINT", s3.endpoint().toString(),
                "FANOUT_ARCHIVE_S3_BUCKET", bucket,
                "FANOUT_ARCHIVE_S3_REGION", "us-east-1",
                "FANOUT_ARCHIVE_S3_ACCESS_KEY_ID", s3.accessKeyId(),
                "FANOUT_ARCHIVE_S3_SECRET_ACCESS_KEY", s3.secretAccessKey(),
                "AWS_REQUEST_CHECKSUM_CALCULATION", "when_required",
                "AWS_RESPONSE_CHECKSUM_VALIDATION", "when_required")).start();
        Load load = new Load(app.ingest(), app.token(), 2, "s3down");
        try {
            awaitAccepted(load, 500);
            S3ProxyProcess.Outage outage = s3.outage();
            int before = load.ok.get();
            // ~20 s of load with the backend gone: ingest keeps answering 200 (the journal holds it).
            Thread.sleep(20_000); // the outage itself is the test's subject: its length is a wall-clock span
            assertThat(load.ok.get()).as("requests answered 200 during the outage").isGreaterThan(before);
            JsonNode ready = readiness();
            assertThat(ready.path("status").asText()).as("readiness during the outage: %s", ready).isEqualTo("DOWN");
            assertThat(check(ready, "fanout-local-bus").path("archive.backlog-messages").asLong()).isPositive();
            s3 = outage.end();
            awaitAccepted(load, load.ok.get() + 300);
        } finally {
            load.close();
        }
        awaitArchived(s3.dataDir().resolve(bucket), load.acceptedIds);
    }

    @Test
    void aTornJournalTailIsCutCountedAndEverythingBeforeItArchived() throws Exception {
        app = new PipelineProcess(dataDir, List.of(), Map.of()).start(List.of("fanout.consumer.sinks.\"archive\".max-age=60s",
                "fanout.consumer.local.ack-deadline=5m"));
        Load load = new Load(app.ingest(), app.token(), 2, "torn");
        awaitAccepted(load, 200);
        load.close();
        app.kill9();
        Path last;
        try (Stream<Path> s = Files.list(dataDir.resolve("journal").resolve("segments"))) {
            last = s.filter(p -> p.toString().endsWith(".seg")).sorted().reduce((a, b) -> b).orElseThrow();
        }
        // Half a record header: what a crash in the middle of an append leaves behind.
        PipelineProcess.appendTo(last, new byte[] {0, 0, 1, 0, 7, 7});
        app.start();
        String log = app.runLog();
        assertThat(log).containsIgnoringCase("torn");
        assertThat(check(readiness(), "fanout-local-bus").path("journal.torn-tails").asLong()).isEqualTo(1);
        awaitArchived(dataDir.resolve("archive"), load.acceptedIds);
    }

    // ------------------------------------------------------------------ helpers

    private JsonNode readiness() throws Exception {
        return EnvelopeCodec.mapper().readTree(app.readiness());
    }

    private static JsonNode check(JsonNode health, String name) {
        for (JsonNode c : health.path("checks")) {
            if (name.equals(c.path("name").asText())) {
                return c.path("data");
            }
        }
        throw new AssertionError("no check " + name + " in " + health);
    }

    private static void awaitAccepted(Load load, int requests) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (load.ok.get() < requests && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(load.ok.get()).as("requests answered 200 (refused: %d)", load.refused.get()).isGreaterThanOrEqualTo(requests);
    }

    private static Set<String> archivedIds(Path archive) {
        Set<String> ids = new HashSet<>();
        for (Envelope e : ArchiveFiles.envelopes(archive)) {
            ids.add(e.id());
        }
        return ids;
    }

    private static void awaitArchived(Path archive, Set<String> accepted) throws InterruptedException {
        assertThat(accepted).isNotEmpty();
        long deadline = System.nanoTime() + ARCHIVED_WITHIN.toNanos();
        Set<String> missing = new HashSet<>(accepted);
        while (System.nanoTime() < deadline) {
            missing.removeAll(archivedIds(archive));
            if (missing.isEmpty()) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError(missing.size() + " of " + accepted.size() + " events answered 200 are not in the archive "
                + archive + " after " + ARCHIVED_WITHIN);
    }
}
