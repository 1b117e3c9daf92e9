package dev.fanout.cost;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The model's defaults are the deployment's: deploy/terraform is read, not restated. */
class DeployedDefaultsTest {
    private static final Path MODULE = Path.of("..", "deploy", "terraform", "modules", "fanout");

    private static String read(String file) throws IOException {
        return Files.readString(MODULE.resolve(file));
    }

    private static double variableDefault(String name) throws IOException {
        Matcher m = Pattern.compile("variable \"" + name + "\" \\{.*?default\\s*=\\s*([0-9.]+)", Pattern.DOTALL)
                .matcher(read("variables.tf"));
        assertThat(m.find()).as("variable %s has a numeric default", name).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void retentionAndExpiryMatchTerraform() throws IOException {
        CostInputs in = CostInputs.reference();
        assertThat(in.eventsExpiryDays()).isEqualTo(variableDefault("events_expiry_days"));
        assertThat(in.eventsRawExpiryDays()).isEqualTo(variableDefault("events_raw_expiry_days"));
        assertThat(in.archiveRetentionDays()).isEqualTo(variableDefault("archive_retention_days"));
    }

    @Test
    void datasetBillingTimeTravelPushBatchAgeAndGzipLevelMatchTerraform() throws IOException {
        CostInputs in = CostInputs.reference();
        String bq = read("bigquery.tf");
        assertThat(bq).contains("storage_billing_model = \"PHYSICAL\"");
        assertThat(in.bigQueryPhysicalBilling()).isTrue();
        assertThat(bq).contains("max_time_travel_hours = \"" + (int) (in.timeTravelDays() * 24) + "\"");
        String run = read("cloudrun.tf");
        assertThat(run).contains("push_batch_max_age = \"" + Math.round(in.sinkBatchMaxAgeSeconds() * 1000) + "ms\"");
        // The bus and archive ratios are measured at level 6 (benchmarks' MeasuredCompressionTest).
        assertThat(run).contains("FANOUT_INGEST_PACKING_GZIP_LEVEL = \"6\"");
        Matcher sinks = Pattern.compile("(?m)^\\s+(archive|analytics|alerts)\\s+= \\{ service").matcher(read("main.tf"));
        int n = 0;
        while (sinks.find()) {
            n++;
        }
        assertThat(in.subscriptions()).isEqualTo(n).isEqualTo(3);
    }
}
