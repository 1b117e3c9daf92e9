package dev.fanout.cli.bench;

import dev.fanout.archive.ArchiveSink;
import dev.fanout.cli.FakeBridge;
import dev.fanout.cli.FanoutCli;
import dev.fanout.events.Envelope;
import dev.fanout.store.ArchiveCodec;
import dev.fanout.store.ArchiveLayout;
import dev.fanout.store.FilesystemObjectStore;
import dev.fanout.store.S3ClientFactory;
import dev.fanout.store.S3ObjectStore;
import dev.fanout.store.S3Settings;
import dev.fanout.testsupport.events.TestEvents;
import dev.fanout.testsupport.s3.S3ProxyProcess;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Replay throughput (bench/replay.sh runs it; numbers in docs/benchmarks.md): builds an archive
 * of realistic events with the archive writer (gzip 6, 50,000-event objects as archive-sink
 * writes at scale), then times {@code fanout replay} in-process: to stdout (discarded), to a
 * loopback replay endpoint, and from s3proxy with 1/4/8 parallel GETs. Not a test: no asserts on time.
 *
 * <p>Args: events (default 1,000,000), work dir, s3proxy jar (optional: skip S3 without it).
 * Env {@code RUNS}: comma-separated subset of {@code stdout,fake,s3,pipeline} (default: all that can
 * run). {@code PIPELINE_URL} + {@code PIPELINE_REPLAY_TOKEN}: a running local pipeline (bench/replay.sh
 * starts one with {@code PIPELINE=1}) to replay into end to end ({@code PIPELINE_PARALLEL} workers, default 4) — timed until the CLI is done (every
 * event in the journal, fsynced) and until every sink has acked (the pipeline's backlog gauges at 0),
 * {@code PIPELINE_ROUNDS} times (default 1; round 1 meets the pipeline just started).
 */
public final class ReplayMeasure {

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Path work = Path.of(args.length > 1 ? args[1] : "target/replay-measure");
        String s3jar = args.length > 2 ? args[2] : null;
        Path archive = work.resolve("archive");
        Instant t0 = Instant.parse("2026-11-23T00:00:00Z");
        int hours = Math.max(1, events / 100_000);
        if (!Files.isDirectory(archive.resolve("events"))) {
            System.err.printf("writing %,d events over %d hours to %s…%n", events, hours, archive);
            ArchiveSink sink = new ArchiveSink(new FilesystemObjectStore(archive), new ArchiveLayout("events"),
                    new ArchiveCodec(ArchiveCodec.DEFAULT_GZIP_LEVEL));
            int batch = 50_000;
            for (int i = 0; i < events; i += batch) {
                List<Envelope> b = TestEvents.batch(i, Math.min(batch, events - i), t0.plusMillis(i * (hours * 3_600_000L / events)),
                        (long) batch * hours * 3_600_000L / events - 1);
                sink.write(b);
            }
        }
        String from = t0.toString();
        String to = t0.plusSeconds(3600L * hours).toString();
        Map<String, String> env = new HashMap<>(Map.of("FANOUT_DATA_DIR", work.resolve("data").toString()));

        String runs = System.getenv().getOrDefault("RUNS", "stdout,fake,s3,pipeline");
        run("warm-up (stdout)", env, "replay", "--source", archive.toString(), "--from", from, "--to", to, "--to-stdout");
        String pipeline = System.getenv("PIPELINE_URL");
        if (runs.contains("pipeline") && pipeline != null) {
            Map<String, String> penv = new HashMap<>(env);
            penv.put("FANOUT_REPLAY_TOKEN", System.getenv("PIPELINE_REPLAY_TOKEN"));
            String parallel = System.getenv().getOrDefault("PIPELINE_PARALLEL", "4");
            // Round 1 meets a pipeline just started (its JIT compiles during the run); later rounds
            // one that has run for a while, as on an always-on box.
            int rounds = Integer.parseInt(System.getenv().getOrDefault("PIPELINE_ROUNDS", "1"));
            for (int round = 1; round <= rounds; round++) {
                long t = System.nanoTime();
                run("local archive -> local pipeline /v1/envelopes (parallel " + parallel + ", round " + round + "), until every event is journaled", penv,
                        "replay", "--source", archive.toString(), "--from", from, "--to", to, "--to-url", pipeline,
                        "--checkpoint", "none", "--parallel", parallel);
                long backlog = waitForBacklog(pipeline);
                System.out.printf("%-75s %.2f s wall from the start of the replay (backlog left: %d messages)%n",
                        "  ... until every sink of the pipeline acked", (System.nanoTime() - t) / 1e9, backlog);
            }
        }
        for (int p : runs.contains("stdout") ? new int[] {1, 2, 4} : new int[0]) {
            run("local archive -> stdout, parallel " + p, env, "replay", "--source", archive.toString(), "--from", from, "--to", to,
                    "--to-stdout", "--parallel", Integer.toString(p));
        }
        if (runs.contains("stdout")) run("local archive -> stdout with --host and --where filters", env, "replay", "--source", archive.toString(),
                "--from", from, "--to", to, "--to-stdout", "--host", "web-01", "--where", "/status>=500");
        if (runs.contains("fake")) try (FakeBridge bridge = new FakeBridge()) {
            env.put("FANOUT_REPLAY_TOKEN", bridge.replayToken);
            run("local archive -> loopback /v1/envelopes (parallel 4; the fake parses every line)", env, "replay",
                    "--source", archive.toString(), "--from", from, "--to", to, "--to-url", bridge.url().toString(),
                    "--checkpoint", "none");
            bridge.accepted.clear();
        }
        if (runs.contains("s3") && s3jar != null && Files.isRegularFile(Path.of(s3jar))) {
            try (S3ProxyProcess s3 = S3ProxyProcess.start(Path.of(s3jar), Files.createTempDirectory("replay-s3"), true)) {
                S3Settings settings = S3Settings.of(s3.endpoint(), "bench", s3.accessKeyId(), s3.secretAccessKey());
                try (S3Client c = S3ClientFactory.create(settings); S3ObjectStore store = new S3ObjectStore(settings)) {
                    c.createBucket(b -> b.bucket("bench"));
                    FilesystemObjectStore fs = new FilesystemObjectStore(archive);
                    long bytes = 0;
                    List<String> keys = fs.list("events/");
                    for (String k : keys) {
                        byte[] body = fs.get(k).orElseThrow().body();
                        bytes += body.length;
                        store.putIfAbsent(k, body, Map.of(), "application/gzip", null);
                    }
                    System.err.printf("uploaded %d objects, %,d bytes to s3proxy%n", keys.size(), bytes);
                }
                env.put("FANOUT_ARCHIVE_S3_ENDPOINT", s3.endpoint().toString());
                env.put("FANOUT_ARCHIVE_S3_ACCESS_KEY_ID", s3.accessKeyId());
                env.put("FANOUT_ARCHIVE_S3_SECRET_ACCESS_KEY", s3.secretAccessKey());
                for (int p : new int[] {1, 4, 8}) {
                    run("s3proxy -> stdout, parallel GETs " + p, env, "replay", "--source", "s3://bench/events",
                            "--from", from, "--to", to, "--to-stdout", "--parallel", Integer.toString(p));
                }
                run("s3proxy dry run (GET + decode only), parallel 8", env, "replay", "--source", "s3://bench/events",
                        "--from", from, "--to", to, "--dry-run", "--parallel", "8");
            }
        }
    }

    private static void run(String label, Map<String, String> env, String... args) {
        List<String> a = new ArrayList<>(List.of(args));
        a.add("--progress");
        a.add("none");
        StringWriter err = new StringWriter();
        long cpu0 = cpu();
        long t = System.nanoTime();
        int code = FanoutCli.commandLine(env, OutputStream.nullOutputStream(), new PrintWriter(err, true)).execute(a.toArray(String[]::new));
        double secs = (System.nanoTime() - t) / 1e9;
        double cpuSecs = (cpu() - cpu0) / 1e9;
        String summary = err.toString().lines().filter(l -> l.contains(" complete:") || l.contains("INCOMPLETE") || l.contains("matched"))
                .reduce((x, y) -> y).orElse(err.toString());
        System.out.printf("%-75s exit %d  %.2f s wall  %.2f s CPU (process)%n    %s%n", label, code, secs, cpuSecs, summary);
    }

    /** Polls the pipeline's backlog gauges until every sink acked everything (or 10 minutes); returns what is left. */
    private static long waitForBacklog(String base) throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.URI metrics = java.net.URI.create(base.replaceAll("/+$", "") + "/q/metrics");
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(10);
        long left = -1;
        while (System.nanoTime() < deadline) {
            String text = http.send(java.net.http.HttpRequest.newBuilder(metrics).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            List<Double> gauges = text.lines().filter(l -> l.startsWith("fanout_consumer_local_backlog_messages"))
                    .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).toList();
            // NaN (a gauge whose object is gone) or no gauge at all is not an empty backlog.
            if (gauges.isEmpty() || gauges.stream().anyMatch(g -> g.isNaN())) {
                throw new IllegalStateException("the pipeline's backlog gauges are missing or NaN: " + gauges);
            }
            left = gauges.stream().mapToLong(Double::longValue).sum();
            if (left == 0) {
                return 0;
            }
            Thread.sleep(200);
        }
        return left;
    }

    private static long cpu() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
