package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.events.Envelope;
import dev.fanout.events.EnvelopeCodec;
import dev.fanout.events.Severity;
import dev.fanout.store.FilesystemObjectStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fanout replay} from a local archive written by the real archive writer. */
class ReplayLocalTests {

    static final Instant T0 = Instant.parse("2026-11-23T00:00:00Z");
    static final Instant FROM = Instant.parse("2026-11-23T01:30:00Z");
    static final Instant TO = Instant.parse("2026-11-23T04:00:00Z");

    @TempDir
    Path tmp;
    Path archive;
    FilesystemObjectStore store;
    List<Envelope> all;
    Map<String, String> env;

    @BeforeEach
    void archive() throws Exception {
        archive = tmp.resolve("archive");
        all = TestArchive.events(0, 3000, T0, 6);
        store = TestArchive.dir(archive, all, 400);
        env = CliRun.env("FANOUT_DATA_DIR", tmp.resolve("data").toString());
    }

    private CliRun replay(String... extra) {
        List<String> args = new ArrayList<>(List.of("replay", "--source", archive.toString(), "--progress", "none"));
        args.addAll(Arrays.asList(extra));
        return CliRun.run(env, args.toArray(String[]::new));
    }

    private Set<String> idsWhere(Predicate<Envelope> p) {
        return all.stream().filter(p).map(Envelope::id).collect(Collectors.toSet());
    }

    private static boolean inRange(Envelope e) {
        return !e.time().isBefore(FROM) && e.time().isBefore(TO);
    }

    @Test
    void stdoutHasExactlyTheRangeByteForByteAsArchived() throws Exception {
        CliRun r = replay("--from", FROM.toString(), "--to", TO.toString(), "--to-stdout");

        assertThat(r.exit()).as(r.toString()).isZero();
        List<String> expected = new ArrayList<>();
        for (String line : TestArchive.lines(store)) {
            if (inRange(EnvelopeCodec.fromJson(line.getBytes(StandardCharsets.UTF_8)))) {
                expected.add(line);
            }
        }
        assertThat(expected).hasSizeBetween(1000, 1400);
        assertThat(r.outLines()).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);
        assertThat(r.stderr()).contains("complete").contains(String.format(java.util.Locale.ROOT, "%,d sent", expected.size()));
    }

    @Test
    void filtersCombineOnTopOfTheRange() throws Exception {
        CliRun r = replay("--from", FROM.toString(), "--to", TO.toString(), "--to-stdout",
                "--host", "web-01,api-01", "--min-severity", "error", "--grep", "GET /api/", "--where", "/status>=500",
                "--sourcetype", "nginx:access", "--index", "web", "--event-source", "/var/log/nginx/access.log");

        assertThat(r.exit()).as(r.toString()).isZero();
        Set<String> expected = idsWhere(e -> inRange(e) && Set.of("web-01", "api-01").contains(e.host())
                && e.severity().code() <= Severity.ERROR.code() && e.raw().contains("GET /api/")
                && e.fields().get("status").asInt() >= 500);
        assertThat(expected).isNotEmpty();
        assertThat(r.envelopes()).extracting(Envelope::id).containsExactlyInAnyOrderElementsOf(expected);

        CliRun none = replay("--from", FROM.toString(), "--to", TO.toString(), "--to-stdout", "--index", "nope");
        assertThat(none.exit()).isZero();
        assertThat(none.stdout()).isEmpty();
    }

    @Test
    void dryRunCountsPerPartitionAndSendsNothing() throws Exception {
        CliRun r = replay("--from", FROM.toString(), "--to", TO.toString(), "--dry-run");

        assertThat(r.exit()).as(r.toString()).isZero();
        // Partitions hr=01..03 are read whole; matched counts only the range.
        long hr1 = all.stream().filter(e -> e.time().isBefore(Instant.parse("2026-11-23T02:00:00Z"))
                && !e.time().isBefore(Instant.parse("2026-11-23T01:00:00Z"))).count();
        long hr1Matched = all.stream().filter(e -> e.time().isBefore(Instant.parse("2026-11-23T02:00:00Z"))
                && !e.time().isBefore(FROM)).count();
        String row = r.outLines().stream().filter(l -> l.startsWith("dt=2026-11-23/hr=01")).findFirst().orElseThrow();
        String[] cols = row.trim().split("\\s+");
        assertThat(Long.parseLong(cols[2])).isEqualTo(hr1);
        assertThat(Long.parseLong(cols[3])).isEqualTo(hr1Matched);
        assertThat(r.outLines()).noneMatch(l -> l.startsWith("dt=2026-11-23/hr=00") || l.startsWith("dt=2026-11-23/hr=04"));
        String total = r.outLines().get(r.outLines().size() - 1);
        assertThat(Long.parseLong(total.trim().split("\\s+")[3])).isEqualTo(idsWhere(ReplayLocalTests::inRange).size());
    }

    @Test
    void toDirWritesAnArchiveTheReplayReadsBackAndIsIdempotent() throws Exception {
        Path out = tmp.resolve("copy");
        CliRun r = replay("--from", FROM.toString(), "--to", TO.toString(), "--to-dir", out.toString(), "--checkpoint", "none");
        assertThat(r.exit()).as(r.toString()).isZero();
        FilesystemObjectStore copy = new FilesystemObjectStore(out);
        List<String> keys = copy.list("events/");
        assertThat(keys).isNotEmpty().allMatch(k -> k.matches("events/dt=2026-11-23/hr=0[1-3]/[0-9a-f]{32}\\.ndjson\\.gz"));
        List<Envelope> copied = new ArrayList<>();
        for (String line : TestArchive.lines(copy)) {
            copied.add(EnvelopeCodec.fromJson(line.getBytes(StandardCharsets.UTF_8)));
        }
        assertThat(copied).extracting(Envelope::id).containsExactlyInAnyOrderElementsOf(idsWhere(ReplayLocalTests::inRange));
        // Everything is kept, not only id and time.
        Envelope original = all.stream().filter(ReplayLocalTests::inRange).findFirst().orElseThrow();
        assertThat(copied).contains(original);

        CliRun again = replay("--from", FROM.toString(), "--to", TO.toString(), "--to-dir", out.toString(), "--checkpoint", "none");
        assertThat(again.exit()).isZero();
        assertThat(copy.list("events/")).isEqualTo(keys);
    }

    @Test
    void corruptObjectsAreReportedByKeyAndTheRestIsReplayed() throws Exception {
        // Three damaged objects in hr=02 next to the good ones: not gzip, gzip cut short, a bad line.
        List<Envelope> extra = TestArchive.events(10_000, 30, Instant.parse("2026-11-23T02:10:00Z"), 0 + 1)
                .stream().filter(e -> e.time().isBefore(Instant.parse("2026-11-23T03:00:00Z"))).toList();
        String dir = "events/dt=2026-11-23/hr=02/";
        Files.write(archive.resolve(dir + "00000000000000000000000000000001.ndjson.gz"), "not gzip at all".getBytes());
        byte[] good = gzipLines(extra.subList(0, 10));
        Files.write(archive.resolve(dir + "00000000000000000000000000000002.ndjson.gz"), Arrays.copyOf(good, good.length - 30));
        List<String> withBad = new ArrayList<>();
        extra.subList(10, 20).forEach(e -> withBad.add(new String(EnvelopeCodec.toJson(e), StandardCharsets.UTF_8)));
        withBad.add(5, "{\"id\":\"broken\",\"time\":");
        Files.write(archive.resolve(dir + "00000000000000000000000000000003.ndjson.gz"),
                gzip(String.join("\n", withBad) + "\n"));

        CliRun r = replay("--from", FROM.toString(), "--to", TO.toString(), "--to-stdout");

        assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCodes.INCOMPLETE);
        assertThat(r.stderr()).contains(dir + "00000000000000000000000000000001.ndjson.gz")
                .contains(dir + "00000000000000000000000000000002.ndjson.gz")
                .contains(dir + "00000000000000000000000000000003.ndjson.gz").contains("bad lines [6]")
                .contains("3 corrupt").contains("INCOMPLETE");
        Set<String> got = new HashSet<>(r.envelopes().stream().map(Envelope::id).toList());
        assertThat(got).containsAll(idsWhere(ReplayLocalTests::inRange));
        // Every line of the bad-line object but the bad one.
        assertThat(got).containsAll(extra.subList(10, 20).stream().map(Envelope::id).toList());
        assertThat(r.envelopes()).extracting(Envelope::id).doesNotHaveDuplicates();
    }

    @Test
    void shardsCoverEveryPartitionExactlyOnce() throws Exception {
        String from = T0.toString();
        String to = T0.plusSeconds(6 * 3600).toString();
        CliRun whole = replay("--from", from, "--to", to, "--to-stdout");
        assertThat(whole.envelopes()).hasSize(all.size());

        List<String> union = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            CliRun s = i == 2
                    // The last shard as a Cloud Run task would see it.
                    ? CliRun.run(CliRun.with(env, "CLOUD_RUN_TASK_INDEX", "2", "CLOUD_RUN_TASK_COUNT", "3"),
                            "replay", "--source", archive.toString(), "--progress", "none", "--from", from, "--to", to, "--to-stdout")
                    : replay("--from", from, "--to", to, "--to-stdout", "--shard", i + "/3");
            assertThat(s.exit()).as(s.toString()).isZero();
            assertThat(s.stderr()).contains("shard " + i + "/3").contains("2 partitions");
            union.addAll(s.envelopes().stream().map(Envelope::id).toList());
        }
        assertThat(union).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(all.stream().map(Envelope::id).toList());
    }

    @Test
    void badArgumentsFailBeforeAnyWork() {
        assertThat(replay("--from", "yesterday-ish", "--to-stdout").exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(replay("--from", TO.toString(), "--to", FROM.toString(), "--to-stdout").stderr()).contains("is not before");
        assertThat(replay("--from", "-1h").stderr()).contains("choose a target");
        assertThat(replay("--from", "-1h", "--to-stdout", "--where", "status=500").stderr()).contains("--where");
        assertThat(replay("--from", "-1h", "--to-stdout", "--run-id", "has space").exit()).isEqualTo(ExitCodes.USAGE);
        CliRun noDir = CliRun.run(env, "replay", "--source", tmp.resolve("nothing").toString(), "--from", "-1h", "--to-stdout");
        assertThat(noDir.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(noDir.stderr()).contains("no archive directory");
    }

    @Test
    void missingS3CredentialsAreAClearErrorBeforeAnyWork() {
        CliRun r = CliRun.run(env, "replay", "--source", "s3://fanout-archive/events", "--from", "-1h", "--to-stdout");
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.stderr()).contains("fanout.archive.s3.endpoint").contains("FANOUT_ARCHIVE_S3_ENDPOINT");
        assertThat(r.stdout()).isEmpty();

        CliRun keyless = CliRun.run(CliRun.with(env, "FANOUT_ARCHIVE_S3_ENDPOINT", "http://127.0.0.1:9"),
                "replay", "--source", "s3://fanout-archive/events", "--from", "-1h", "--to-stdout");
        assertThat(keyless.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(keyless.stderr()).contains("FANOUT_ARCHIVE_S3_ACCESS_KEY_ID");
    }

    @Test
    void everyCommandHasHelpWithExamples() {
        for (String[] cmd : List.of(new String[] {"--help"}, new String[] {"replay", "--help"}, new String[] {"send", "--help"},
                new String[] {"query", "--help"}, new String[] {"dead-letters", "--help"},
                new String[] {"dead-letters", "list", "--help"}, new String[] {"dead-letters", "show", "--help"},
                new String[] {"dead-letters", "redrive", "--help"})) {
            CliRun r = CliRun.run(env, cmd);
            assertThat(r.exit()).as(String.join(" ", cmd)).isZero();
            assertThat(r.out()).as(String.join(" ", cmd)).contains("Usage: fanout").contains("Examples:");
        }
    }

    static byte[] gzip(String s) throws java.io.IOException {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream g = new java.util.zip.GZIPOutputStream(b)) {
            g.write(s.getBytes(StandardCharsets.UTF_8));
        }
        return b.toByteArray();
    }

    static byte[] gzipLines(List<Envelope> events) throws java.io.IOException {
        StringBuilder sb = new StringBuilder();
        for (Envelope e : events) {
            sb.append(new String(EnvelopeCodec.toJson(e), StandardCharsets.UTF_8)).append('\n');
        }
        return gzip(sb.toString());
    }
}
