package dev.fanout.cli.deadletter;

import dev.fanout.cli.ArchiveSource;
import dev.fanout.cli.CliConfig;
import dev.fanout.cli.Console;
import dev.fanout.cli.ExitCodes;
import dev.fanout.cli.FanoutCli;
import dev.fanout.cli.TimeSpec;
import dev.fanout.cli.Tokens;
import dev.fanout.cli.UsageException;
import dev.fanout.cli.replay.Line;
import dev.fanout.cli.replay.ReplayCommand;
import dev.fanout.cli.targets.ReplayTarget;
import dev.fanout.cli.targets.SendOutcome;
import dev.fanout.cli.targets.StdoutTarget;
import dev.fanout.cli.targets.TargetFatalException;
import dev.fanout.cli.targets.TopicTarget;
import dev.fanout.cli.targets.UrlTarget;
import dev.fanout.events.EnvelopeCodec;
import dev.fanout.events.MessageEncoderOptions;
import dev.fanout.store.StoredObject;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code fanout dead-letters list | show | redrive} over the runtime's dead-letter store. */
@Command(name = "dead-letters",
        mixinStandardHelpOptions = true,
        description = "The dead-letter store: records a sink rejected for good and messages that could not be decoded, "
                + "kept by the consumer runtime as gzip NDJSON under dead-letter/sink=<sink>/dt=…/hr=…/ in the archive's "
                + "store (R2, or ./data/archive locally). See docs/archive-format.md.",
        subcommands = {DeadLettersCommand.ListCommand.class, DeadLettersCommand.ShowCommand.class,
                DeadLettersCommand.RedriveCommand.class},
        footerHeading = "%nExamples:%n",
        footer = {
                "  fanout dead-letters list",
                "  fanout dead-letters show --sink archive --from -1d --limit 5",
                "  fanout dead-letters redrive --sink bigquery --from -1d --to-url http://localhost:8080",
        })
public final class DeadLettersCommand implements Callable<Integer> {

    @ParentCommand
    FanoutCli parent;

    @Override
    public Integer call() {
        throw new UsageException("dead-letters needs a subcommand: list, show or redrive (see --help)");
    }

    /** Options shared by the subcommands: where, which sink, which hours. */
    static final class Selection {
        @Option(names = "--source", paramLabel = "s3://BUCKET|DIR",
                description = "The archive's store (default: the configured archive; ./data/archive for ./run-local).")
        String source;

        @Option(names = "--sink", paramLabel = "SINK", description = "Only this sink's dead letters (archive, bigquery, alerts, …).")
        String sink;

        @Option(names = "--from", paramLabel = "TIME", description = "Only hour partitions from this time (publish time; RFC 3339, date or -2h).")
        String from;

        @Option(names = "--to", paramLabel = "TIME", description = "Only hour partitions before this time.")
        String to;

        @Option(names = "--prefix", defaultValue = DeadLetterReader.DEFAULT_PREFIX, paramLabel = "PREFIX",
                description = "Key prefix of the dead-letter store. Default: ${DEFAULT-VALUE}.")
        String prefix;
    }

    private static final Pattern KEY = Pattern.compile("sink=([^/]+)/dt=(\\d{4}-\\d{2}-\\d{2})/hr=(\\d{2})/[^/]+\\.ndjson\\.gz$");

    /** Dead-letter object keys of the selection, sorted. One listing (paginated) of the store's prefix. */
    static List<String> keys(ArchiveSource src, Selection sel) throws Exception {
        Instant now = Instant.now();
        Instant from = sel.from == null ? null : TimeSpec.parse(sel.from, now);
        Instant to = sel.to == null ? null : TimeSpec.parse(sel.to, now);
        String prefix = sel.prefix.replaceAll("/+$", "") + "/" + (sel.sink == null ? "" : "sink=" + sel.sink + "/");
        List<String> out = new ArrayList<>();
        for (String k : src.store().list(prefix)) {
            Matcher m = KEY.matcher(k);
            if (!m.find()) {
                continue;
            }
            Instant hour = LocalDate.parse(m.group(2)).atStartOfDay(ZoneOffset.UTC).toInstant()
                    .plusSeconds(3600L * Integer.parseInt(m.group(3)));
            if ((from != null && hour.plusSeconds(3600).isBefore(from.plusNanos(1))) || (to != null && !hour.isBefore(to))) {
                continue;
            }
            out.add(k);
        }
        return out;
    }

    static ArchiveSource open(FanoutCli cli, Selection sel) {
        return ArchiveSource.open(sel.source, CliConfig.load(cli.env(), Map.of()));
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Counts dead letters per sink and hour partition (reads each object).",
            footerHeading = "%nExamples:%n",
            footer = {"  fanout dead-letters list", "  fanout dead-letters list --sink archive --from -7d"})
    static final class ListCommand implements Callable<Integer> {
        @ParentCommand
        DeadLettersCommand dl;

        @Mixin
        Selection sel = new Selection();

        @Override
        public Integer call() throws Exception {
            FanoutCli cli = dl.parent;
            PrintWriter out = cli.spec().commandLine().getOut();
            Console console = new Console(cli.spec().commandLine().getErr(), Console.defaultFormat(cli.env()));
            int unreadable = 0;
            try (ArchiveSource src = open(cli, sel)) {
                Map<String, long[]> rows = new TreeMap<>();
                for (String k : keys(src, sel)) {
                    Matcher m = KEY.matcher(k);
                    m.find();
                    long[] c = rows.computeIfAbsent(m.group(1) + " dt=" + m.group(2) + "/hr=" + m.group(3), x -> new long[3]);
                    c[0]++;
                    try {
                        StoredObject o = src.store().get(k).orElseThrow();
                        for (DeadLetterReader.Letter l : DeadLetterReader.read(k, o.body())) {
                            c[l.event() != null ? 1 : 2]++;
                        }
                    } catch (Exception e) {
                        unreadable++;
                        console.warn("cannot read " + k + ": " + e.getMessage());
                    }
                }
                out.printf(Locale.ROOT, "%-16s %-22s %8s %8s %9s%n", "sink", "partition", "objects", "events", "messages");
                for (Map.Entry<String, long[]> r : rows.entrySet()) {
                    String[] p = r.getKey().split(" ");
                    out.printf(Locale.ROOT, "%-16s %-22s %8d %8d %9d%n", p[0], p[1], r.getValue()[0], r.getValue()[1], r.getValue()[2]);
                }
                out.flush();
                if (rows.isEmpty()) {
                    console.info("no dead letters in " + src.store().describe() + "/" + sel.prefix);
                }
            }
            return unreadable == 0 ? ExitCodes.OK : ExitCodes.INCOMPLETE;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Prints dead letters as stored, one JSON object per line (message bytes stay base64).",
            footerHeading = "%nExamples:%n",
            footer = {"  fanout dead-letters show --sink archive --limit 5", "  fanout dead-letters show --from -1h | jq .reason"})
    static final class ShowCommand implements Callable<Integer> {
        @ParentCommand
        DeadLettersCommand dl;

        @Mixin
        Selection sel = new Selection();

        @Option(names = "--limit", defaultValue = "100", paramLabel = "N", description = "At most N lines. Default: ${DEFAULT-VALUE}.")
        int limit;

        @Override
        public Integer call() throws Exception {
            FanoutCli cli = dl.parent;
            PrintWriter out = cli.spec().commandLine().getOut();
            Console console = new Console(cli.spec().commandLine().getErr(), Console.defaultFormat(cli.env()));
            int shown = 0;
            int unreadable = 0;
            try (ArchiveSource src = open(cli, sel)) {
                for (String k : keys(src, sel)) {
                    if (shown >= limit) {
                        break;
                    }
                    try {
                        for (DeadLetterReader.Letter l : DeadLetterReader.read(k, src.store().get(k).orElseThrow().body())) {
                            if (shown++ >= limit) {
                                break;
                            }
                            if (l.json() == null) {
                                unreadable++;
                                console.warn(k + " line " + l.line() + ": " + l.problem());
                            } else {
                                out.println(l.json().toString());
                            }
                        }
                    } catch (Exception e) {
                        unreadable++;
                        console.warn("cannot read " + k + ": " + e.getMessage());
                    }
                }
            }
            out.flush();
            return unreadable == 0 ? ExitCodes.OK : ExitCodes.INCOMPLETE;
        }
    }

    @Command(name = "redrive", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Sends dead letters again, with the replay marker (replay=<run id>) so they can be told apart: "
                    + "events to a topic, a bridge's /v1/envelopes or stdout; undecodable messages only to a topic "
                    + "(their bytes and attributes as received). At-least-once: running it twice sends twice (events keep their ids). "
                    + "Exit 0 only if every selected dead letter was sent.",
            footerHeading = "%nExamples:%n",
            footer = {
                    "  fanout dead-letters redrive --sink archive --to-url http://localhost:8080",
                    "  fanout dead-letters redrive --sink bigquery --from -1d --to-topic",
            })
    static final class RedriveCommand implements Callable<Integer> {
        @ParentCommand
        DeadLettersCommand dl;

        @Mixin
        Selection sel = new Selection();

        @ArgGroup(exclusive = true, multiplicity = "1", heading = "%nTarget (exactly one):%n")
        Target target;

        static final class Target {
            @Option(names = "--to-topic", arity = "0..1", fallbackValue = "", paramLabel = "TOPIC",
                    description = "Publish to Pub/Sub (default fanout.pubsub.topic).")
            String topic;

            @Option(names = "--to-url", paramLabel = "URL", description = "POST events to <url>/v1/envelopes (replay token).")
            URI url;

            @Option(names = "--to-stdout", description = "Print the events as NDJSON envelopes.")
            boolean stdout;
        }

        @Option(names = "--token-file", paramLabel = "FILE", description = "Replay token file for --to-url (else FANOUT_REPLAY_TOKEN).")
        Path tokenFile;

        @Option(names = "--run-id", paramLabel = "ID", description = "Replay marker value; must start with 'redrive' (the archive sink archives redrives, but skips replays it already holds). Default: redrive-<time>-<random>.")
        String runId;

        @Option(names = "--retry-for", defaultValue = "5m", paramLabel = "DURATION", description = "Retry budget per request. Default: ${DEFAULT-VALUE}.")
        String retryFor;

        @Override
        public Integer call() throws Exception {
            FanoutCli cli = dl.parent;
            Console console = new Console(cli.spec().commandLine().getErr(), Console.defaultFormat(cli.env()));
            String run = runId != null ? runId : "redrive" + ReplayCommandIds.suffix();
            if (!run.matches("[A-Za-z0-9._:-]{1,64}")) {
                throw new UsageException("run id must be 1-64 characters of [A-Za-z0-9._:-]");
            }
            if (!run.startsWith("redrive")) {
                // fanout.archive.skip-replays: a marker without it would make the archive sink drop
                // these events as "already archived", and they never were.
                throw new UsageException("a redrive's run id must start with 'redrive' (got '" + run + "')");
            }
            java.time.Duration retry = ReplayCommand.parseDuration(retryFor, "--retry-for");
            Map<String, String> overrides = new HashMap<>();
            if (target.topic != null && !target.topic.isBlank()) {
                overrides.put("fanout.pubsub.topic", target.topic);
            }
            long events = 0, messages = 0, sent = 0, failed = 0;
            try (ArchiveSource src = ArchiveSource.open(sel.source, CliConfig.load(cli.env(), overrides));
                    ReplayTarget tgt = openTarget(cli, overrides, run, retry)) {
                for (String k : keys(src, sel)) {
                    List<DeadLetterReader.Letter> letters;
                    try {
                        letters = DeadLetterReader.read(k, src.store().get(k).orElseThrow().body());
                    } catch (Exception e) {
                        failed++;
                        console.warn("cannot read " + k + ": " + e.getMessage());
                        continue;
                    }
                    List<Line> lines = new ArrayList<>();
                    for (DeadLetterReader.Letter l : letters) {
                        if (l.event() != null) {
                            events++;
                            byte[] json = EnvelopeCodec.toJson(l.event());
                            lines.add(new Line(l.event(), json, 0, json.length));
                        } else if (l.data() != null) {
                            messages++;
                            if (tgt instanceof TopicTarget topic) {
                                topic.publishRaw(l.data(), l.attributes());
                                sent++;
                            } else {
                                failed++;
                                console.warn(k + " line " + l.line() + ": an undecodable message can only be redriven to a topic");
                            }
                        } else {
                            failed++;
                            console.warn(k + " line " + l.line() + ": " + l.problem());
                        }
                    }
                    SendOutcome o = tgt.send(k, lines);
                    sent += o.sent();
                    failed += o.rejected();
                    o.problems().forEach(p -> console.warn(k + ": " + p));
                }
            } catch (TargetFatalException e) {
                console.error(e.getMessage());
                return ExitCodes.FAILED;
            }
            console.event(failed == 0 ? "INFO" : "ERROR", String.format(Locale.ROOT,
                    "redrive %s: %d events and %d messages read, %d sent, %d not sent", run, events, messages, sent, failed),
                    Map.of("run_id", run, "events", events, "messages", messages, "sent", sent, "failed", failed));
            return failed == 0 ? ExitCodes.OK : ExitCodes.INCOMPLETE;
        }

        private ReplayTarget openTarget(FanoutCli cli, Map<String, String> overrides, String run, java.time.Duration retry)
                throws Exception {
            if (target.stdout) {
                return new StdoutTarget(cli.stdout());
            }
            if (target.url != null) {
                return new UrlTarget(target.url, Tokens.replayToken(tokenFile, cli.env()), run, retry, UrlTarget.DEFAULT_MAX_BODY_BYTES);
            }
            return TopicTarget.open(CliConfig.load(cli.env(), overrides).pubsub(), MessageEncoderOptions.defaults(), run, retry);
        }
    }

    /** Run id suffix shared with replay's generated ids. */
    static final class ReplayCommandIds {
        static String suffix() {
            return ReplayCommand.generatedRunId().substring("replay".length());
        }
    }
}
