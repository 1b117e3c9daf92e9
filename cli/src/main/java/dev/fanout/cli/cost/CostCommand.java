package dev.fanout.cli.cost;

import dev.fanout.cli.FanoutCli;
import dev.fanout.cost.CostCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Unmatched;

/**
 * {@code fanout cost}: the free-tier model of module cost-model ({@link CostCli}), with its own
 * arguments and exit codes (0 every free tier holds, 3 one is left, 2 bad arguments).
 */
@Command(name = "cost",
        description = {"Monthly use of every free tier (Pub/Sub, Cloud Run, BigQuery, R2, Resend) for a steady volume,",
                "from the deployed defaults and the measured compression ratio, and what breaks first (docs/cost.md).",
                "Every model input can be overridden as --<input>=<value>; 'fanout cost --help-inputs' lists them."},
        footerHeading = "%nExamples:%n",
        footer = {
                "  fanout cost --events-per-day 1000000 --event-bytes 500",
                "  fanout cost --events-per-day 1000000 --event-bytes 500 --cribl-flush-seconds=1",
                "",
                "Exit codes: 0 every free tier holds, 3 one is left, 2 bad arguments."},
        mixinStandardHelpOptions = true)
public final class CostCommand implements Callable<Integer> {

    @ParentCommand
    FanoutCli parent;

    @Unmatched
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
        List<String> a = new ArrayList<>(args);
        a.replaceAll(s -> s.equals("--help-inputs") ? "--help" : s);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(parent.stdout(), true, StandardCharsets.UTF_8);
        int code;
        try (PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = CostCli.run(a.toArray(String[]::new), out, errStream);
        }
        out.flush();
        parent.spec().commandLine().getErr().print(err.toString(StandardCharsets.UTF_8));
        parent.spec().commandLine().getErr().flush();
        return code;
    }
}
