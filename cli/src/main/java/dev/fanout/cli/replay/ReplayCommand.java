package dev.fanout.cli.replay;

import dev.fanout.cli.ArchiveSource;
import dev.fanout.cli.CliConfig;
import dev.fanout.cli.Console;
import dev.fanout.cli.ExitCodes;
import dev.fanout.cli.FanoutCli;
import dev.fanout.cli.TimeSpec;
import dev.fanout.cli.Tokens;
import dev.fanout.cli.UsageException;
import dev.fanout.cli.targets.DirTarget;
import dev.fanout.cli.targets.ReplayTarget;
import dev.fanout.cli.targets.StdoutTarget;
import dev.fanout.cli.targets.TopicTarget;
import dev.fanout.cli.targets.BodyCompression;
import dev.fanout.cli.targets.UrlTarget;
import dev.fanout.events.MessageEncoderOptions;
import dev.fanout.events.PackingMode;
import dev.fanout.events.Severity;
import dev.fanout.store.ArchiveCodec;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code fanout replay}: archived events back into the pipeline (or to stdout / a directory). */
@Command(name = "replay",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Replays archived events by time range and filter. Lists each hour partition of the range once (dt=YYYY-MM-DD/hr=HH; a listing is a billed class-A operation on R2), reads its objects, keeps events whose own time is in [--from, --to) and that pass every filter, and sends them. Every replayed message carries replay=<run id>. A checkpoint per object lets a retried or resumed run (same --run-id) skip what it already sent. Exit 0 only if every matching event was sent.",
        footerHeading = "%nExamples:%n",
        footer = {
                "  # the last hour of the local archive (./run-local's) to stdout",
                "  fanout replay --from -1h --to-stdout",
                "  # one day from R2 into a bridge (FANOUT_ARCHIVE_S3_* and FANOUT_REPLAY_TOKEN set)",
                "  fanout replay --source s3://fanout-archive/events --from 2026-11-23 --to 2026-11-24 \\",
                "      --to-url https://ingest.example.org",
                "  # errors of two hosts, straight to Pub/Sub, at most 5000 events/s",
                "  fanout replay --from -6h --host web-01 --host web-02 --min-severity error --to-topic --rate 5000",
                "  # what would be replayed, per hour partition",
                "  fanout replay --from -2d --where /status>=500 --dry-run",
                "  # resume an interrupted run",
                "  fanout replay --from -1d --to-url http://localhost:8080 --run-id replay-20261123T070000Z-1a2b",
                "",
                "Cloud Run Job: tasks split the hour partitions by CLOUD_RUN_TASK_INDEX/COUNT; the run id defaults",
                "to CLOUD_RUN_EXECUTION and the checkpoint lives in the archive bucket (replay-checkpoints/).",
        })
public final class ReplayCommand implements Callable<Integer> {

    private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    @ParentCommand
    FanoutCli parent;

    @Option(names = "--source", paramLabel = "s3://BUCKET/PREFIX|DIR",
            description = "Archive to read: s3://bucket/prefix (endpoint and credentials from FANOUT_ARCHIVE_S3_*), "
                    + "or a local archive directory. Default: the configured archive (fanout.archive.*; "
                    + "./data/archive for ./run-local).")
    String source;

    @Option(names = "--from", required = true, paramLabel = "TIME",
            description = "Start of the event-time range, inclusive: RFC 3339 (2026-11-23T07:00:00Z), a UTC date, or relative (-2h, -30m, -7d).")
    String from;

    @Option(names = "--to", defaultValue = "now", paramLabel = "TIME",
            description = "End of the range, exclusive (same forms). Default: ${DEFAULT-VALUE}.")
    String to;

    @Option(names = "--host", split = ",", paramLabel = "HOST", description = "Only these hosts (repeatable or comma-separated).")
    List<String> hosts = new ArrayList<>();

    @Option(names = "--sourcetype", split = ",", paramLabel = "ST", description = "Only these sourcetypes.")
    List<String> sourcetypes = new ArrayList<>();

    @Option(names = "--event-source", split = ",", paramLabel = "SOURCE",
            description = "Only these event sources (the envelope's 'source', e.g. /var/log/nginx/access.log).")
    List<String> eventSources = new ArrayList<>();

    @Option(names = "--index", split = ",", paramLabel = "INDEX", description = "Only these Cribl indexes.")
    List<String> indexes = new ArrayList<>();

    @Option(names = "--min-severity", paramLabel = "SEVERITY",
            description = "Only this severity or worse: emergency, alert, critical, error, warning, notice, info, debug.")
    String minSeverity;

    @Option(names = "--grep", paramLabel = "REGEX", description = "Only events whose raw text matches (Java regex, find).")
    String grep;

    @Option(names = "--where", paramLabel = "PREDICATE",
            description = "A predicate on 'fields' by JSON pointer, repeatable (all must hold): /status=500, /status!=200, "
                    + "/status>=500 (also > < <=), /user/name~^adm (regex), /trace_id (exists), !/trace_id (missing).")
    List<String> where = new ArrayList<>();

    @ArgGroup(exclusive = true, multiplicity = "0..1", heading = "%nTarget (exactly one, unless --dry-run):%n")
    Target target;

    static final class Target {
        @Option(names = "--to-topic", arity = "0..1", fallbackValue = "", paramLabel = "TOPIC",
                description = "Publish to Pub/Sub (default topic: fanout.pubsub.topic, claude-events), packed as the bridge does. "
                        + "Project: --project or FANOUT_PUBSUB_PROJECT_ID / GOOGLE_CLOUD_PROJECT; FANOUT_PUBSUB_EMULATOR_HOST for a fake.")
        String topic;

        @Option(names = "--to-url", paramLabel = "URL",
                description = "POST to a bridge's or the local pipeline's /v1/envelopes with a replay token "
                        + "(FANOUT_REPLAY_TOKEN or --token-file).")
        URI url;

        @Option(names = "--to-stdout", description = "NDJSON envelopes on stdout, one per line, exactly as archived.")
        boolean stdout;

        @Option(names = "--to-dir", paramLabel = "DIR", description = "A local archive (same layout and codec as the archive writer).")
        Path dir;
    }

    @Option(names = "--token-file", paramLabel = "FILE", description = "File holding the replay token for --to-url.")
    Path tokenFile;

    @Option(names = "--project", paramLabel = "PROJECT", description = "Google Cloud project of --to-topic.")
    String project;

    @Option(names = "--packing", defaultValue = "packed", paramLabel = "MODE",
            description = "Pub/Sub packing for --to-topic: packed (many events per message, default) or event.")
    PackingMode packing;

    @Option(names = "--run-id", paramLabel = "ID",
            description = "Replay run id: the replay=<id> marker and the checkpoint's name (1-64 of [A-Za-z0-9._:-]). "
                    + "Default: CLOUD_RUN_EXECUTION, else replay-<time>-<random>.")
    String runId;

    @Option(names = "--checkpoint", defaultValue = "auto", paramLabel = "auto|none|store|FILE",
            description = "Where completed objects are recorded: a FILE, 'store' (replay-checkpoints/<run id>/ in the archive's store), "
                    + "or none. auto = store in a Cloud Run Job, none for --to-stdout and --dry-run, "
                    + "else $FANOUT_DATA_DIR/replay-checkpoints/<run id>.ndjson.")
    String checkpoint;

    @Option(names = "--shard", paramLabel = "I/N",
            description = "Replay only shard I of N of the hour partitions. Default: CLOUD_RUN_TASK_INDEX/CLOUD_RUN_TASK_COUNT, else all.")
    String shard;

    @Option(names = "--parallel", defaultValue = "4", paramLabel = "N",
            description = "Objects read and sent at once (parallel GETs and requests). Default: ${DEFAULT-VALUE}.")
    int parallel;

    @Option(names = "--rate", paramLabel = "EVENTS_PER_S", description = "At most this many events per second (all workers).")
    Double rate;

    @Option(names = "--dry-run",
            description = "Read and count only: per hour partition objects, events, matched events and bytes. Sends nothing.")
    boolean dryRun;

    @Option(names = "--progress", defaultValue = "auto", paramLabel = "MODE",
            description = "auto (a bar on a terminal, else a line every 10 s), bar, plain, none.")
    Progress.Mode progress;

    @Option(names = "--retry-for", defaultValue = "5m", paramLabel = "DURATION",
            description = "How long to keep retrying a target or store that answers 503/5xx or cannot be reached, per request. "
                    + "Then the run stops (nothing is skipped; resume later). Default: ${DEFAULT-VALUE}.")
    String retryFor;

    @Option(names = "--max-body-bytes", defaultValue = "" + UrlTarget.DEFAULT_MAX_BODY_BYTES, paramLabel = "BYTES",
            description = "Largest uncompressed request body for --to-url. Default: ${DEFAULT-VALUE}.")
    int maxBodyBytes;

    @Option(names = "--compress", defaultValue = "auto", paramLabel = "auto|gzip|none", converter = BodyCompression.Converter.class,
            description = "Request bodies for --to-url: gzip, none, or auto (none when the URL's host is localhost or a "
                    + "loopback address, where compressing only costs CPU that the target shares; gzip otherwise). "
                    + "Default: ${DEFAULT-VALUE}.")
    BodyCompression compress;

    @Override
    public Integer call() throws Exception {
        Map<String, String> env = parent.env();
        Console console = new Console(parent.spec().commandLine().getErr(), Console.defaultFormat(env));
        if (target == null && !dryRun) {
            throw new UsageException("choose a target: --to-topic, --to-url, --to-stdout or --to-dir (or --dry-run)");
        }
        if (parallel < 1 || parallel > 64) {
            throw new UsageException("--parallel must be 1..64");
        }
        if (rate != null && rate <= 0) {
            throw new UsageException("--rate must be positive");
        }
        Duration retry = parseDuration(retryFor, "--retry-for");
        String run = runId != null ? runId : env.getOrDefault("CLOUD_RUN_EXECUTION", generatedRunId());
        if (!RUN_ID.matcher(run).matches()) {
            throw new UsageException("run id '" + run + "' must be 1-64 characters of [A-Za-z0-9._:-]");
        }
        Instant now = Instant.now();
        Instant start = TimeSpec.parse(from, now);
        Instant end = TimeSpec.parse(to, now);
        if (!start.isBefore(end)) {
            throw new UsageException("--from " + start + " is not before --to " + end);
        }
        EventFilter filter = filter(start, end);
        Shard sh = Shard.resolve(shard, env);

        Map<String, String> overrides = new HashMap<>();
        if (project != null) {
            overrides.put("fanout.pubsub.project-id", project);
        }
        if (target != null && target.topic != null && !target.topic.isBlank()) {
            overrides.put("fanout.pubsub.topic", target.topic);
        }
        CliConfig config = CliConfig.load(env, overrides);

        // Everything that can be wrong with the setup fails here, before any work.
        try (ArchiveSource src = ArchiveSource.open(source, config);
                ReplayTarget tgt = dryRun ? null : openTarget(config, env, run, retry)) {
            if (tgt != null) {
                tgt.checkReady();
            }
            Checkpoint ckpt = openCheckpoint(src, env, run);
            RunRecord proposed = new RunRecord(run, start, end, filter.describeFilters(),
                    tgt == null ? "dry-run" : tgt.describe(), now);
            RunRecord record;
            try {
                record = ckpt.begin(proposed);
            } catch (Exception e) {
                throw new UsageException("cannot open the checkpoint " + ckpt.describe() + ": " + e.getMessage(), e);
            }
            if (!record.filters().equals(proposed.filters()) || !record.target().equals(proposed.target())) {
                throw new UsageException("run " + run + " was started with filters [" + record.filters() + "] and target ["
                        + record.target() + "]; this command has [" + proposed.filters() + "] and [" + proposed.target()
                        + "]: use another --run-id");
            }
            if (!record.from().equals(start) || !record.to().equals(end)) {
                console.info("resuming run " + run + " with its stored range " + record.from() + " .. " + record.to());
                filter = filter.withRange(record.from(), record.to());
            }
            int resumed = ckpt.done().size();
            console.event("INFO", String.format(Locale.ROOT, "replay %s: %s .. %s from %s to %s, shard %s, filters: %s, checkpoint: %s%s",
                    run, filter.from(), filter.to(), src.describe(), tgt == null ? "nowhere (dry run)" : tgt.describe(), sh,
                    filter.describeFilters(), ckpt.describe(), resumed > 0 ? " (" + resumed + " objects already done)" : ""),
                    Map.of("run_id", run, "from", filter.from().toString(), "to", filter.to().toString(), "shard", sh.toString()));

            ReplayStats stats = new ReplayStats();
            Replayer.Result result;
            try (Progress p = new Progress(console, stats, progress, Duration.ofSeconds(10));
                    ckpt) {
                Replayer r = new Replayer(new Replayer.Settings(src, filter, sh, parallel, rate, dryRun, retry),
                        tgt == null ? NO_TARGET : tgt, ckpt, console, stats);
                result = r.run();
                double secs = p.elapsedSeconds();
                if (dryRun) {
                    printDryRun(result);
                }
                summary(console, run, result, secs);
            }
            if (result.stopReason() != null) {
                return ExitCodes.FAILED;
            }
            return result.complete() ? ExitCodes.OK : ExitCodes.INCOMPLETE;
        }
    }

    private static final ReplayTarget NO_TARGET = new ReplayTarget() {
        @Override
        public dev.fanout.cli.targets.SendOutcome send(String sourceKey, List<Line> events) {
            throw new IllegalStateException("dry run sends nothing");
        }

        @Override
        public String describe() {
            return "dry-run";
        }
    };

    EventFilter filter(Instant start, Instant end) {
        Severity sev = null;
        if (minSeverity != null) {
            try {
                sev = Severity.fromWire(minSeverity.strip());
            } catch (IllegalArgumentException e) {
                throw new UsageException("--min-severity " + minSeverity + ": one of emergency, alert, critical, error, "
                        + "warning, notice, info, debug");
            }
        }
        Pattern g = null;
        if (grep != null) {
            try {
                g = Pattern.compile(grep);
            } catch (PatternSyntaxException e) {
                throw new UsageException("--grep: bad regex: " + e.getDescription());
            }
        }
        List<WherePredicate> w = new ArrayList<>();
        for (String s : where) {
            w.add(WherePredicate.parse(s));
        }
        return new EventFilter(start, end, set(hosts), set(sourcetypes), set(eventSources), set(indexes), sev, g, w);
    }

    private static Set<String> set(List<String> values) {
        Set<String> s = new LinkedHashSet<>();
        for (String v : values) {
            if (!v.isBlank()) {
                s.add(v.strip());
            }
        }
        return s;
    }

    private ReplayTarget openTarget(CliConfig config, Map<String, String> env, String run, Duration retry) throws Exception {
        if (target.stdout) {
            return new StdoutTarget(parent.stdout());
        }
        if (target.dir != null) {
            return new DirTarget(target.dir, config.archive().prefix(), ArchiveCodec.DEFAULT_GZIP_LEVEL);
        }
        if (target.url != null) {
            if (target.url.getScheme() == null || !target.url.getScheme().startsWith("http")) {
                throw new UsageException("--to-url " + target.url + ": expected http://… or https://…");
            }
            String token = Tokens.replayToken(tokenFile, env);
            if (maxBodyBytes < 1024) {
                throw new UsageException("--max-body-bytes must be at least 1024");
            }
            return new UrlTarget(target.url, token, run, retry, maxBodyBytes, compress);
        }
        MessageEncoderOptions opts = MessageEncoderOptions.defaults().withMode(packing);
        try {
            return TopicTarget.open(config.pubsub(), opts, run, retry);
        } catch (IllegalStateException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }

    private Checkpoint openCheckpoint(ArchiveSource src, Map<String, String> env, String run) {
        String c = checkpoint.strip();
        if (dryRun || c.equals("none") || (c.equals("auto") && target != null && target.stdout)) {
            return Checkpoint.NONE;
        }
        if (c.equals("store") || (c.equals("auto") && env.containsKey("CLOUD_RUN_JOB"))) {
            return new StoreCheckpoint(src.store(), run, Duration.ofSeconds(10), 200, Clock.systemUTC());
        }
        if (c.equals("auto")) {
            return new FileCheckpoint(Path.of(env.getOrDefault("FANOUT_DATA_DIR", "./data"), "replay-checkpoints", run + ".ndjson"));
        }
        return new FileCheckpoint(Path.of(c));
    }

    public static String generatedRunId() {
        return "replay-" + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(Instant.now())
                + "-" + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
    }

    public static Duration parseDuration(String s, String option) {
        String t = s.strip().toLowerCase(Locale.ROOT);
        try {
            if (t.matches("\\d+")) {
                return Duration.ofSeconds(Long.parseLong(t));
            }
            return Duration.parse("PT" + t.toUpperCase(Locale.ROOT));
        } catch (RuntimeException e) {
            throw new UsageException(option + " " + s + ": expected a duration like 90s, 5m, 1h");
        }
    }

    private void printDryRun(Replayer.Result result) {
        java.io.PrintWriter out = parent.spec().commandLine().getOut();
        out.printf(Locale.ROOT, "%-22s %8s %12s %12s %14s%n", "partition", "objects", "events", "matched", "bytes");
        long o = 0, e = 0, m = 0, b = 0;
        for (Map.Entry<String, Replayer.PartitionCount> p : result.partitions().entrySet()) {
            Replayer.PartitionCount c = p.getValue();
            out.printf(Locale.ROOT, "%-22s %8d %12d %12d %14d%n", p.getKey(), c.objects, c.events, c.matched, c.bytes);
            o += c.objects;
            e += c.events;
            m += c.matched;
            b += c.bytes;
        }
        out.printf(Locale.ROOT, "%-22s %8d %12d %12d %14d%n", "total", o, e, m, b);
        out.flush();
    }

    private static void summary(Console console, String run, Replayer.Result r, double secs) {
        ReplayStats s = r.stats();
        boolean ok = r.complete();
        Map<String, Object> fields = new LinkedHashMap<>(s.toMap());
        fields.put("run_id", run);
        fields.put("seconds", Math.round(secs * 1000) / 1000.0);
        fields.put("complete", ok);
        if (r.stopReason() != null) {
            fields.put("stopped", r.stopReason());
        }
        String text = String.format(Locale.ROOT,
                "replay %s %s: %d partitions, %d objects (%d done, %d skipped as already sent, %d corrupt, %d unreadable), "
                        + "%,d bytes; events: %,d read, %,d matched, %,d sent, %,d rejected, %,d not sent, %d bad lines; "
                        + "%.1f s, %,.0f events/s",
                run, ok ? "complete" : "INCOMPLETE", s.partitions.get(), s.objectsTotal.get(), s.objectsDone.get(),
                s.objectsSkipped.get(), s.objectsCorrupt.get(), s.objectsFailed.get(), s.bytesRead.get(),
                s.eventsRead.get(), s.eventsMatched.get(), s.eventsSent.get(), s.eventsRejected.get(),
                s.eventsUnsent.get(), s.badLines.get(), secs, s.eventsSent.get() / Math.max(0.001, secs));
        console.event(ok ? "INFO" : "ERROR", text, fields);
        if (r.stopReason() != null) {
            console.error("stopped early: " + r.stopReason() + " — resume with --run-id " + run);
        }
    }
}
