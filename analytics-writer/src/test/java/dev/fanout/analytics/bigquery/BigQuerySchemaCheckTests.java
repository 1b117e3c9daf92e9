package dev.fanout.analytics.bigquery;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.analytics.AnalyticsSchemaException;
import dev.fanout.analytics.schema.AnalyticsSchema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The live schema check through the real BigQuery REST client against WireMock's {@code tables.get}. */
class BigQuerySchemaCheckTests {

    private final BigQueryFixture bq = new BigQueryFixture();

    @AfterEach
    void tearDown() {
        bq.close();
    }

    private BigQuerySchemaCheck check() {
        return new BigQuerySchemaCheck(BigQueryClients.rest(bq.config(1000), BigQueryFixture.PROJECT),
                BigQueryFixture.PROJECT, BigQueryFixture.DATASET);
    }

    @Test
    void tablesMadeFromTheShippedJsonFilesPass() {
        assertThatCode(() -> check().check()).doesNotThrowAnyException();
    }

    @Test
    void extraColumnsAndRelaxedModesAreFine() {
        bq.createTable(AnalyticsSchema.TYPED, f -> {
            f.addObject().put("name", "team").put("type", "STRING").put("mode", "NULLABLE");
            ((com.fasterxml.jackson.databind.node.ObjectNode) f.get(0)).put("mode", "NULLABLE");
            return f;
        });
        assertThatCode(() -> check().check()).doesNotThrowAnyException();
    }

    @Test
    void aMissingTableAsksForItsCreateTable() {
        bq.dropTableInRest("events");
        assertThatThrownBy(() -> check().check()).isInstanceOf(AnalyticsSchemaException.class)
                .hasMessageContaining("table events does not exist")
                .hasMessageContaining("CREATE TABLE IF NOT EXISTS `test-project.analytics.events`")
                .hasMessageContaining("PARTITION BY DATE(`time`)")
                .hasMessageContaining("CLUSTER BY `sourcetype`, `host`, `severity`")
                .hasMessageContaining("partition_expiration_days=30");
    }

    @Test
    void aMissingNullableColumnAsksForAlterTable() {
        bq.createTable(AnalyticsSchema.RAW, BigQueryFixture.without("published_at"));
        assertThatThrownBy(() -> check().check()).isInstanceOf(AnalyticsSchemaException.class)
                .hasMessageContaining("events_raw.published_at is missing")
                .hasMessageContaining("ALTER TABLE `test-project.analytics.events_raw` ADD COLUMN `published_at` TIMESTAMP")
                .hasMessageNotContaining("DROP TABLE");
    }

    @Test
    void aMissingRequiredColumnOrAWrongTypeAsksToRecreate() {
        bq.createTable(AnalyticsSchema.TYPED, f -> BigQueryFixture.retyped("time", "STRING").apply(BigQueryFixture.without("id").apply(f)));
        assertThatThrownBy(() -> check().check()).isInstanceOf(AnalyticsSchemaException.class)
                .hasMessageContaining("events.id is missing")
                .hasMessageContaining("events.time is STRING, expected TIMESTAMP")
                .hasMessageContaining("DROP TABLE `test-project.analytics.events`");
    }

    @Test
    void anUnreachableApiIsAnErrorNotAPass() {
        BigQuerySchemaCheck check = check();
        bq.rest.stop();
        assertThatThrownBy(check::check).isNotInstanceOf(AnalyticsSchemaException.class)
                .satisfies(e -> org.assertj.core.api.Assertions.assertThat(dev.fanout.analytics.AnalyticsRetryClassifier.isTransient(e)).as("%s", e).isTrue());
    }
}
