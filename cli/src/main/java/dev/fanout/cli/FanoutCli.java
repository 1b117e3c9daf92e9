package dev.fanout.cli;

import dev.fanout.cli.cost.CostCommand;

import dev.fanout.cli.deadletter.DeadLettersCommand;
import dev.fanout.cli.query.QueryCommand;
import dev.fanout.cli.replay.ReplayCommand;
import dev.fanout.cli.send.SendCommand;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code fanout} command line. Exit codes: {@value ExitCodes#OK} = everything asked for was done,
 * {@value ExitCodes#INCOMPLETE} = something could not be read or sent (see the summary),
 * {@value ExitCodes#USAGE} = bad arguments or configuration (nothing was done),
 * {@value ExitCodes#FAILED} = the command stopped early (target refused us, retries exhausted).
 */
@Command(name = "fanout",
        mixinStandardHelpOptions = true,
        versionProvider = FanoutCli.Version.class,
        description = "Fanout tools: replay archived events, send NDJSON, query the archive, redrive dead letters.",
        subcommands = {
                ReplayCommand.class,
                SendCommand.class,
                QueryCommand.class,
                DeadLettersCommand.class,
                CostCommand.class,
                CommandLine.HelpCommand.class,
        },
        footerHeading = "%nExamples:%n",
        footer = {
                "  fanout replay --from -1h --to-stdout | head",
                "  fanout replay --from 2026-11-23T00:00:00Z --to 2026-11-24T00:00:00Z --to-url http://localhost:8080",
                "  fanout send --url http://localhost:8080 events.ndjson",
                "  fanout query \"SELECT host, count(*) FROM events GROUP BY 1 ORDER BY 2 DESC\"",
                "  fanout dead-letters list",
                "  fanout cost --events-per-day 1000000 --event-bytes 500",
                "",
                "Exit codes: 0 everything done, 1 something could not be read or sent (see the summary),",
                "2 bad arguments or configuration (nothing done), 3 stopped early (target refused, retries exhausted).",
                "Configuration: the services' keys (docs/configuration.md) as env vars, e.g. FANOUT_ARCHIVE_S3_ENDPOINT.",
        })
public final class FanoutCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final Map<String, String> env;
    private final OutputStream stdout;

    public FanoutCli(Map<String, String> env, OutputStream stdout) {
        this.env = Map.copyOf(env);
        this.stdout = stdout;
    }

    public CommandLine.Model.CommandSpec spec() {
        return spec;
    }

    /** The process environment (tests pass their own: Cloud Run's task variables, tokens). */
    public Map<String, String> env() {
        return env;
    }

    /** Data output; unlike {@code System.out} it reports write errors (a closed pipe). */
    public OutputStream stdout() {
        return stdout;
    }

    public static void main(String[] args) {
        Logging.configure();
        int code = commandLine(System.getenv(), new FileOutputStream(FileDescriptor.out), new PrintWriter(System.err, true))
                .execute(args);
        System.exit(code);
    }

    public static CommandLine commandLine(Map<String, String> env, OutputStream stdout, PrintWriter err) {
        CommandLine cl = new CommandLine(new FanoutCli(env, stdout));
        cl.setErr(err);
        cl.setOut(new PrintWriter(new java.io.OutputStreamWriter(stdout, java.nio.charset.StandardCharsets.UTF_8), true));
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setUsageHelpAutoWidth(true);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof UsageException u) {
                commandLine.getErr().println("fanout: " + u.getMessage());
                return ExitCodes.USAGE;
            }
            commandLine.getErr().println("fanout: " + ex);
            if (Logging.verbose()) {
                ex.printStackTrace(commandLine.getErr());
            }
            return ExitCodes.FAILED;
        });
        return cl;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (see --help)");
    }

    /** The build baked into the jar (git sha, build time: BuildInfo), plus the image tag when the image sets FANOUT_VERSION. */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            // The git sha and build time baked into the jar (the same metadata the services log and
            // serve), plus the image tag the job's image sets.
            String image = System.getenv("FANOUT_VERSION");
            return new String[] {dev.fanout.events.status.BuildInfo.current().describe("fanout")
                    + (image == null ? "" : ", image " + image)};
        }
    }
}
