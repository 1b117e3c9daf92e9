package dev.fanout.cost;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CostCliTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return CostCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void printsEveryFreeTierAndWhatBreaksFirst() {
        int code = run("--events-per-day", "1000000", "--event-bytes=500");
        String text = out.toString(StandardCharsets.UTF_8);
        for (FreeTier t : FreeTier.values()) {
            assertThat(text).contains(t.label());
        }
        // The reference volume of issue 11 fits; the report still names the tier closest to its limit.
        assertThat(text).contains("Breaks first: " + FreeTier.R2_STORAGE.label()).contains("Every free tier holds.")
                .doesNotContain("LEAVES THE FREE TIER");
        assertThat(code).isEqualTo(0);
    }

    @Test
    void exitsThreeWhenAFreeTierIsLeft() {
        assertThat(run("--events-per-day", "1500000", "--event-bytes", "500")).isEqualTo(3);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("LEAVES THE FREE TIER");
    }

    @Test
    void exitsZeroWhenEverythingFits() {
        assertThat(run("--events-per-day", "100_000", "--event-bytes", "500")).isEqualTo(0);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Every free tier holds.");
    }

    @Test
    void acceptsModelInputsInKebabCase() {
        assertThat(run("--events-per-day", "100000", "--cribl-flush-seconds=1", "--cribl-senders=8")).isEqualTo(3);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Cloud Run");
    }

    @Test
    void badArgumentsExitTwoWithUsage() {
        assertThat(run("--events-per-day")).isEqualTo(2);
        assertThat(run("--nope=1")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown input 'nope'").contains("usage: fanout cost");
    }

    @Test
    void helpListsEveryInput() {
        assertThat(run("--help")).isEqualTo(0);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--cribl-flush-seconds=60.0").contains("--subscriptions=3");
    }
}
