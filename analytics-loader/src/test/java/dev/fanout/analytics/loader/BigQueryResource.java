package dev.fanout.analytics.loader;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.fanout.analytics.bigquery.StorageSchemas;
import dev.fanout.analytics.schema.AnalyticsSchema;
import dev.fanout.analytics.schema.SchemaFiles;
import dev.fanout.analytics.schema.TableDef;
import dev.fanout.testsupport.bigquery.BigQueryWriteFake;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;

/**
 * BigQuery for the app under test: the Storage Write API fake with both tables, and WireMock
 * answering REST {@code tables.get} with the shipped schema JSON (the files Terraform reads).
 */
public class BigQueryResource implements QuarkusTestResourceLifecycleManager {

    static final String PROJECT = "loader-test";
    static final String DATASET = "analytics";
    private static final ObjectMapper JSON = new ObjectMapper();

    static volatile BigQueryWriteFake fake;
    static volatile WireMockServer rest;

    @Override
    public Map<String, String> start() {
        fake = BigQueryWriteFake.start();
        rest = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        rest.start();
        for (TableDef t : AnalyticsSchema.TABLES) {
            fake.createTable(PROJECT, DATASET, t.name(), StorageSchemas.of(t));
            stubTable(t, null);
        }
        Map<String, String> m = new HashMap<>();
        m.put("fanout.analytics.backend", "bigquery");
        m.put("fanout.analytics.bigquery.project-id", PROJECT);
        m.put("fanout.analytics.bigquery.dataset", DATASET);
        m.put("fanout.analytics.bigquery.write-endpoint", fake.hostPort());
        m.put("fanout.analytics.bigquery.rest-endpoint", "http://127.0.0.1:" + rest.port());
        m.put("fanout.analytics.bigquery.location", fake.location());
        m.put("fanout.analytics.bigquery.schema-check.cache-ttl", "0s");
        m.put("fanout.consumer.readiness-cache-ttl", "0s");
        return m;
    }

    /** REST {@code tables.get} of the table, without {@code droppedColumn} if not null. */
    static void stubTable(TableDef t, String droppedColumn) {
        stubTable(rest, PROJECT, DATASET, t, droppedColumn);
    }

    /**
     * Stubs REST {@code tables.get} of the table on {@code rest}: the shipped schema JSON, without
     * {@code droppedColumn} if not null.
     */
    public static void stubTable(WireMockServer rest, String project, String dataset, TableDef t, String droppedColumn) {
        try {
            ArrayNode fields = (ArrayNode) JSON.readTree(SchemaFiles.shipped(t));
            if (droppedColumn != null) {
                for (int i = 0; i < fields.size(); i++) {
                    if (fields.get(i).path("name").asText().equals(droppedColumn)) {
                        fields.remove(i);
                    }
                }
            }
            ObjectNode table = JSON.createObjectNode();
            table.put("kind", "bigquery#table");
            table.putObject("tableReference").put("projectId", project).put("datasetId", dataset).put("tableId", t.name());
            table.put("type", "TABLE");
            table.putObject("schema").set("fields", fields);
            table.putObject("timePartitioning").put("type", "DAY").put("field", t.partitionColumn());
            rest.stubFor(get(urlPathEqualTo("/bigquery/v2/projects/" + project + "/datasets/" + dataset + "/tables/" + t.name()))
                    .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(table.toString())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        if (fake != null) {
            fake.close();
        }
        if (rest != null) {
            rest.stop();
        }
    }
}
