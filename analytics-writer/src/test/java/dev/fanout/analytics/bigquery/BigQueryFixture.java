package dev.fanout.analytics.bigquery;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.google.cloud.bigquery.storage.v1.TableSchema;
import dev.fanout.analytics.AnalyticsConfig;
import dev.fanout.analytics.schema.AnalyticsSchema;
import dev.fanout.analytics.schema.SchemaFiles;
import dev.fanout.analytics.schema.TableDef;
import dev.fanout.testsupport.bigquery.BigQueryWriteFake;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The BigQuery side of a test: the Storage Write API fake with both tables, and WireMock answering
 * REST {@code tables.get} with the same schemas (from the shipped JSON files).
 */
public final class BigQueryFixture implements AutoCloseable {

    public static final String PROJECT = "test-project";
    public static final String DATASET = "analytics";
    private static final ObjectMapper JSON = new ObjectMapper();

    public final BigQueryWriteFake fake = BigQueryWriteFake.start();
    public final WireMockServer rest = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());

    public BigQueryFixture() {
        rest.start();
        for (TableDef t : AnalyticsSchema.TABLES) {
            createTable(t, UnaryOperator.identity());
        }
    }

    /** Both sides get the table's schema after {@code edit} (e.g. a column removed). */
    public void createTable(TableDef t, UnaryOperator<ArrayNode> edit) {
        ArrayNode fields = edit.apply(shippedFields(t));
        fake.createTable(PROJECT, DATASET, t.name(), storageSchema(fields));
        ObjectNode table = JSON.createObjectNode();
        table.put("kind", "bigquery#table");
        table.put("id", PROJECT + ":" + DATASET + "." + t.name());
        table.putObject("tableReference").put("projectId", PROJECT).put("datasetId", DATASET).put("tableId", t.name());
        table.put("type", "TABLE");
        table.putObject("schema").set("fields", fields);
        table.putObject("timePartitioning").put("type", "DAY").put("field", t.partitionColumn())
                .put("expirationMs", Long.toString(t.partitionExpirationMs()));
        rest.stubFor(get(urlPathEqualTo(tablePath(t.name())))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(table.toString())));
    }

    /** REST answers 404 for the table (the Write API fake keeps it). */
    public void dropTableInRest(String table) {
        rest.stubFor(get(urlPathEqualTo(tablePath(table))).willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"code\":404,\"message\":\"Not found: Table " + PROJECT + ":" + DATASET + "." + table
                        + "\",\"status\":\"NOT_FOUND\"}}")));
    }

    public static String tablePath(String table) {
        return "/bigquery/v2/projects/" + PROJECT + "/datasets/" + DATASET + "/tables/" + table;
    }

    public static ArrayNode shippedFields(TableDef t) {
        try {
            return (ArrayNode) JSON.readTree(SchemaFiles.shipped(t));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static UnaryOperator<ArrayNode> without(String column) {
        return fields -> {
            for (Iterator<JsonNode> it = fields.iterator(); it.hasNext(); ) {
                if (it.next().path("name").asText().equals(column)) {
                    it.remove();
                }
            }
            return fields;
        };
    }

    public static UnaryOperator<ArrayNode> retyped(String column, String type) {
        return fields -> {
            for (JsonNode f : fields) {
                if (f.path("name").asText().equals(column)) {
                    ((ObjectNode) f).put("type", type);
                }
            }
            return fields;
        };
    }

    /** The BigQuery schema JSON as the Write API's TableSchema (the fake's view of the table). */
    static TableSchema storageSchema(ArrayNode fields) {
        TableSchema.Builder b = TableSchema.newBuilder();
        for (JsonNode f : fields) {
            b.addFields(com.google.cloud.bigquery.storage.v1.TableFieldSchema.newBuilder()
                    .setName(f.path("name").asText())
                    .setType(com.google.cloud.bigquery.storage.v1.TableFieldSchema.Type.valueOf(f.path("type").asText()))
                    .setMode(com.google.cloud.bigquery.storage.v1.TableFieldSchema.Mode.valueOf(f.path("mode").asText("NULLABLE"))));
        }
        return b.build();
    }

    public AnalyticsConfig.BigQuery config(int maxAppendBytes) {
        return config(maxAppendBytes, 5);
    }

    public AnalyticsConfig.BigQuery config(int maxAppendBytes, int attempts) {
        return config(maxAppendBytes, attempts, Duration.ofSeconds(10));
    }

    public AnalyticsConfig.BigQuery config(int maxAppendBytes, int attempts, Duration maxRetryDuration) {
        String endpoint = fake.hostPort();
        String restUrl = "http://127.0.0.1:" + rest.port();
        String location = fake.location();
        return new AnalyticsConfig.BigQuery() {
            public Optional<String> projectId() { return Optional.of(PROJECT); }
            public String dataset() { return DATASET; }
            public Optional<String> location() { return Optional.of(location); }
            public Optional<String> writeEndpoint() { return Optional.of(endpoint); }
            public Optional<String> restEndpoint() { return Optional.of(restUrl); }
            public int maxAppendBytes() { return maxAppendBytes; }
            public boolean connectionPool() { return true; }
            public AnalyticsConfig.Retry retry() {
                return new AnalyticsConfig.Retry() {
                    public int maxAttempts() { return attempts; }
                    public Duration initialDelay() { return Duration.ofMillis(50); }
                    public double multiplier() { return 2.0; }
                    public Duration maxDelay() { return Duration.ofMillis(500); }
                    public Duration maxDuration() { return maxRetryDuration; }
                };
            }
            public AnalyticsConfig.SchemaCheck schemaCheck() {
                return new AnalyticsConfig.SchemaCheck() {
                    public boolean failStartup() { return true; }
                    public Duration cacheTtl() { return Duration.ZERO; }
                };
            }
        };
    }

    public BigQueryAnalyticsSink sink(int maxAppendBytes) throws Exception {
        return sink(config(maxAppendBytes));
    }

    public BigQueryAnalyticsSink sink(AnalyticsConfig.BigQuery c) throws Exception {
        return new BigQueryAnalyticsSink(PROJECT, DATASET, BigQueryClients.writeClient(c), BigQueryClients.rest(c, PROJECT), c,
                Clock.systemUTC());
    }

    public List<java.util.Map<String, Object>> rows(String table) {
        return fake.rows(table);
    }

    @Override
    public void close() {
        fake.close();
        rest.stop();
    }
}
