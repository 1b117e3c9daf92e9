package dev.fanout.cost;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code java -jar cost-model/target/cost-model.jar --events-per-day 1000000 --event-bytes 500
 * [--<input>=<value> …]}: prints the monthly use of every free tier and what breaks first.
 * Exit code 0 when every free tier holds, 3 when one is left, 2 on bad arguments.
 */
public final class CostCli {
    private CostCli() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Entry point for the CLI's {@code fanout cost}: same arguments, same exit codes. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Map<String, String> overrides = new LinkedHashMap<>();
        double events = CostInputs.reference().eventsPerDay();
        double bytes = CostInputs.reference().eventBytes();
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("-h") || a.equals("--help")) {
                    out.println(usage());
                    return 0;
                }
                if (!a.startsWith("--")) {
                    throw new IllegalArgumentException("unexpected argument '" + a + "'");
                }
                String key = a.substring(2);
                String value;
                int eq = key.indexOf('=');
                if (eq >= 0) {
                    value = key.substring(eq + 1);
                    key = key.substring(0, eq);
                } else if (i + 1 < args.length) {
                    value = args[++i];
                } else {
                    throw new IllegalArgumentException("--" + key + " needs a value");
                }
                switch (key) {
                    case "events-per-day" -> events = Double.parseDouble(value.replace("_", ""));
                    case "event-bytes" -> bytes = Double.parseDouble(value.replace("_", ""));
                    default -> overrides.put(key, value);
                }
            }
            CostReport report = CostModel.compute(CostInputs.defaults(events, bytes).with(overrides));
            out.print(report.format());
            return report.fitsEveryFreeTier() ? 0 : 3;
        } catch (IllegalArgumentException e) {
            err.println("fanout cost: " + e.getMessage());
            err.println(usage());
            return 2;
        }
    }

    static String usage() {
        StringBuilder sb = new StringBuilder("""
                usage: fanout cost --events-per-day N --event-bytes B [--<input>=<value> ...]
                  Monthly use of every free tier (Pub/Sub, Cloud Run, BigQuery, R2, Resend) for a steady
                  volume, from the deployed defaults; says what breaks first. docs/cost.md explains the model.
                  Exit 0: every free tier holds; 3: one is left; 2: bad arguments.
                example: fanout cost --events-per-day 1000000 --event-bytes 500 --cribl-flush-seconds=1
                inputs (defaults at the reference volume):
                """);
        CostInputs.reference().asMap().forEach((k, v) -> sb.append("  --").append(kebab(k)).append('=').append(v).append('\n'));
        return sb.toString().stripTrailing();
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }
}
