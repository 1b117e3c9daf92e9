package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.events.Envelope;
import dev.fanout.store.S3ClientFactory;
import dev.fanout.store.S3ObjectStore;
import dev.fanout.store.S3Settings;
import dev.fanout.testsupport.s3.S3ProxyProcess;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/** The archive on an S3 API (s3proxy, real AWS SDK): replay, store checkpoints, query download. */
class ReplayFromS3Tests {

    static final Instant T0 = Instant.parse("2026-11-23T00:00:00Z");
    static final String BUCKET = "fanout-archive";

    static S3ProxyProcess s3;
    static List<Envelope> all;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        s3 = S3ProxyProcess.start();
        S3Settings settings = S3Settings.of(s3.endpoint(), BUCKET, s3.accessKeyId(), s3.secretAccessKey());
        try (S3Client client = S3ClientFactory.create(settings)) {
            client.createBucket(b -> b.bucket(BUCKET));
        }
        all = TestArchive.events(0, 4000, T0, 8);
        try (S3ObjectStore store = new S3ObjectStore(settings)) {
            TestArchive.write(store, all, 500);
        }
    }

    @AfterAll
    static void stop() {
        if (s3 != null) {
            s3.close();
        }
    }

    private Map<String, String> env(String... kv) {
        Map<String, String> e = CliRun.env("FANOUT_DATA_DIR", tmp.resolve("data").toString(),
                "FANOUT_ARCHIVE_S3_ENDPOINT", s3.endpoint().toString(),
                "FANOUT_ARCHIVE_S3_ACCESS_KEY_ID", s3.accessKeyId(),
                "FANOUT_ARCHIVE_S3_SECRET_ACCESS_KEY", s3.secretAccessKey());
        return CliRun.with(e, kv);
    }

    @Test
    void replaysARangeFromTheBucketWithParallelGets() throws Exception {
        Instant from = T0.plusSeconds(2 * 3600 + 600);
        Instant to = T0.plusSeconds(6 * 3600);
        CliRun r = CliRun.run(env(), "replay", "--source", "s3://" + BUCKET + "/events", "--from", from.toString(),
                "--to", to.toString(), "--to-stdout", "--parallel", "8", "--progress", "plain");
        assertThat(r.exit()).as(r.toString()).isZero();
        List<String> expected = all.stream().filter(e -> !e.time().isBefore(from) && e.time().isBefore(to)).map(Envelope::id).toList();
        assertThat(r.envelopes()).extracting(Envelope::id).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);
        assertThat(r.stderr()).contains("s3://" + BUCKET).contains("4 partitions");
    }

    @Test
    void wrongCredentialsFailBeforeAnyWork() {
        CliRun r = CliRun.run(env("FANOUT_ARCHIVE_S3_SECRET_ACCESS_KEY", "wrong"), "replay", "--source", "s3://" + BUCKET,
                "--from", T0.toString(), "--to", T0.plusSeconds(3600).toString(), "--to-stdout");
        assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.stderr()).contains("cannot reach s3://" + BUCKET).doesNotContain("wrong");
        assertThat(r.stdout()).isEmpty();
    }

    @Test
    void checkpointsInTheStoreLetAnotherTaskAttemptSkipWhatWasSent() throws Exception {
        try (FakeBridge bridge = new FakeBridge()) {
            Map<String, String> job = env("FANOUT_REPLAY_TOKEN", bridge.replayToken, "CLOUD_RUN_JOB", "fanout-replay",
                    "CLOUD_RUN_EXECUTION", "fanout-replay-x7k2p", "CLOUD_RUN_TASK_INDEX", "1", "CLOUD_RUN_TASK_COUNT", "2");
            List<String> args = List.of("replay", "--source", "s3://" + BUCKET + "/events", "--from", T0.toString(),
                    "--to", T0.plusSeconds(8 * 3600).toString(), "--to-url", bridge.url().toString());
            CliRun first = CliRun.run(job, args.toArray(String[]::new));
            assertThat(first.exit()).as(first.toString()).isZero();
            // Cloud Run Job mode: JSON log lines with severity, the run id from the execution.
            assertThat(first.stderr().lines().filter(l -> !l.isBlank()))
                    .allMatch(l -> l.startsWith("{\"severity\":"));
            assertThat(first.stderr()).contains("\"run_id\":\"fanout-replay-x7k2p\"");
            List<String> sent = new ArrayList<>(bridge.acceptedIds());
            List<String> expected = all.stream()
                    .filter(e -> Math.floorMod(e.time().getEpochSecond() / 3600, 2) == 1).map(Envelope::id).toList();
            assertThat(sent).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(bridge.replayHeaders).containsOnly("fanout-replay-x7k2p");

            // A retried attempt of the same task: everything is in the store's checkpoint.
            int requests = bridge.requests.get();
            CliRun retry = CliRun.run(CliRun.with(job, "CLOUD_RUN_TASK_ATTEMPT", "1"), args.toArray(String[]::new));
            assertThat(retry.exit()).as(retry.toString()).isZero();
            assertThat(bridge.requests.get()).isEqualTo(requests);
            try (S3ObjectStore store = new S3ObjectStore(S3Settings.of(s3.endpoint(), BUCKET, s3.accessKeyId(), s3.secretAccessKey()))) {
                assertThat(store.list("replay-checkpoints/fanout-replay-x7k2p/")).contains("replay-checkpoints/fanout-replay-x7k2p/run.json");
            }
        }
    }

    @Test
    void queryDownloadsTheRangeAndRunsSql() {
        CliRun r = CliRun.run(env(), "query", "--source", "s3://" + BUCKET + "/events", "--from", T0.toString(),
                "--to", T0.plusSeconds(2 * 3600).toString(), "--format", "csv", "SELECT hr, count(*) AS n FROM events GROUP BY hr ORDER BY hr");
        assertThat(r.exit()).as(r.toString()).isZero();
        long hr0 = all.stream().filter(e -> e.time().isBefore(T0.plusSeconds(3600))).count();
        long hr1 = all.stream().filter(e -> !e.time().isBefore(T0.plusSeconds(3600)) && e.time().isBefore(T0.plusSeconds(7200))).count();
        assertThat(r.outLines()).containsExactly("hr,n", "00," + hr0, "01," + hr1);
        assertThat(r.stderr()).contains("downloaded");
    }
}
