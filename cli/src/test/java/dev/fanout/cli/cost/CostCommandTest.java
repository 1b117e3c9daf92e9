package dev.fanout.cli.cost;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.cli.CliRun;
import org.junit.jupiter.api.Test;

/** {@code fanout cost} delegates to the cost model with its arguments and exit codes. */
class CostCommandTest {

    @Test
    void printsEveryFreeTierForTheReferenceVolume() {
        CliRun r = CliRun.run(CliRun.env(), "cost", "--events-per-day", "1000000", "--event-bytes", "500");
        assertThat(r.out()).contains("Pub/Sub").contains("Cloud Run").contains("BigQuery").contains("R2").contains("Resend");
        assertThat(r.exit()).as(r.toString()).isIn(0, 3);
    }

    @Test
    void aVolumeFarAboveTheFreeTiersExitsThree() {
        CliRun r = CliRun.run(CliRun.env(), "cost", "--events-per-day", "100000000", "--event-bytes", "2000");
        assertThat(r.exit()).as(r.toString()).isEqualTo(3);
    }

    @Test
    void badArgumentsExitTwo() {
        CliRun r = CliRun.run(CliRun.env(), "cost", "--no-such-input=1");
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.stderr()).isNotBlank();
    }
}
