package dev.fanout.events.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.logging.json.runtime.AdditionalField;
import io.quarkus.logging.json.runtime.JsonFormatter;
import io.quarkus.logging.json.runtime.JsonLogConfig;
import java.util.Map;
import java.util.logging.Level;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;

/**
 * Quarkus' own JSON formatter set up as its recorder does for the services' prod profile
 * ({@code log-format=gcp}, {@code key-overrides=level=severity}, app name {@code ingest-bridge}),
 * fed a record carrying the MDC that quarkus-opentelemetry sets inside a traced request.
 */
class CloudLoggingTraceTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String SPAN_ID = "00f067aa0ba902b7";

    private static JsonFormatter quarkusGcpFormatter() {
        JsonFormatter f = new JsonFormatter("level=severity");
        f.setLogFormat(JsonLogConfig.JsonConfig.LogFormat.GCP);
        f.setTracePrefix("projects/ingest-bridge/traces/");
        var empty = new AdditionalField("", JsonLogConfig.AdditionalFieldConfig.Type.STRING);
        f.setAdditionalFields(Map.of("trace", empty, "spanId", empty, "traceSampled", empty));
        return f;
    }

    private static ExtLogRecord traced(String message, boolean sampled) {
        ExtLogRecord r = new ExtLogRecord(Level.WARNING, message, CloudLoggingTraceTest.class.getName());
        r.setLoggerName("dev.fanout.ingest.IngestService");
        r.putMdc("traceId", TRACE_ID);
        r.putMdc("spanId", SPAN_ID);
        r.putMdc("sampled", String.valueOf(sampled));
        return r;
    }

    @Test
    void quarkusAloneWritesTheWrongFieldWithTheApplicationAsProject() throws Exception {
        JsonNode line = JSON.readTree(quarkusGcpFormatter().format(traced("publish slow", true)));
        // What the lead measured: this is the bug being fixed, not a behaviour we rely on.
        assertThat(line.path("trace").asText()).isEqualTo("projects/ingest-bridge/traces/" + TRACE_ID);
        assertThat(line.has("logging.googleapis.com/trace")).isFalse();
    }

    @Test
    void aTracedLineCarriesCloudLoggingsTraceFieldsWithTheGcpProject() throws Exception {
        CloudLoggingTrace f = new CloudLoggingTrace(quarkusGcpFormatter(), "fanout-prod-1234");
        JsonNode line = JSON.readTree(f.format(traced("publish slow \"trace\":\"projects/x/traces/y\"", true)));
        assertThat(line.path("logging.googleapis.com/trace").asText()).isEqualTo("projects/fanout-prod-1234/traces/" + TRACE_ID);
        assertThat(line.path("logging.googleapis.com/spanId").asText()).isEqualTo(SPAN_ID);
        assertThat(line.path("logging.googleapis.com/trace_sampled").isBoolean()).isTrue();
        assertThat(line.path("logging.googleapis.com/trace_sampled").asBoolean()).isTrue();
        assertThat(line.has("trace")).isFalse();
        assertThat(line.has("traceSampled")).isFalse();
        // The message, which quotes the same text, and the MDC object are left alone.
        assertThat(line.path("mdc").path("spanId").asText()).isEqualTo(SPAN_ID);
        assertThat(line.path("message").asText()).isEqualTo("publish slow \"trace\":\"projects/x/traces/y\"");
        assertThat(line.path("severity").asText()).isNotEmpty();
    }

    @Test
    void anUnsampledTraceSaysSoAndALineWithoutTraceIsUnchanged() throws Exception {
        CloudLoggingTrace f = new CloudLoggingTrace(quarkusGcpFormatter(), "p");
        JsonNode line = JSON.readTree(f.format(traced("x", false)));
        assertThat(line.path("logging.googleapis.com/trace_sampled").asBoolean(true)).isFalse();

        ExtLogRecord plain = new ExtLogRecord(Level.INFO, "no request here", CloudLoggingTraceTest.class.getName());
        assertThat(f.format(plain)).isEqualTo(quarkusGcpFormatter().format(plain));
    }

    @Test
    void levelNamesBecomeCloudLoggingSeverities() throws Exception {
        Map<Level, String> expected = new java.util.LinkedHashMap<>();
        expected.put(org.jboss.logmanager.Level.WARN, "WARNING");
        expected.put(Level.WARNING, "WARNING");
        expected.put(org.jboss.logmanager.Level.ERROR, "ERROR");
        expected.put(Level.SEVERE, "ERROR");
        expected.put(org.jboss.logmanager.Level.FATAL, "CRITICAL");
        expected.put(org.jboss.logmanager.Level.INFO, "INFO");
        expected.put(Level.CONFIG, "INFO");
        expected.put(org.jboss.logmanager.Level.DEBUG, "DEBUG");
        expected.put(org.jboss.logmanager.Level.TRACE, "DEBUG");
        expected.put(Level.FINEST, "DEBUG");
        for (String project : new String[] {"fanout-prod-1234", null}) {
            CloudLoggingTrace f = new CloudLoggingTrace(quarkusGcpFormatter(), project);
            for (Map.Entry<Level, String> e : expected.entrySet()) {
                ExtLogRecord r = new ExtLogRecord(e.getKey(), "disk \"severity\":\"WARN\" almost full", CloudLoggingTraceTest.class.getName());
                r.setLoggerName("dev.fanout.archive.ArchiveSink");
                JsonNode line = JSON.readTree(f.format(r));
                assertThat(line.path("severity").asText()).as("%s, project %s", e.getKey(), project).isEqualTo(e.getValue());
                assertThat(line.path("message").asText()).isEqualTo("disk \"severity\":\"WARN\" almost full");
            }
        }
        // Without the wrapper a WARN line is not a warning to Cloud Logging.
        ExtLogRecord warn = new ExtLogRecord(org.jboss.logmanager.Level.WARN, "x", CloudLoggingTraceTest.class.getName());
        assertThat(JSON.readTree(quarkusGcpFormatter().format(warn)).path("severity").asText()).isEqualTo("WARN");
    }

    @Test
    void withoutAProjectTracesAreLeftAsQuarkusWroteThem() throws Exception {
        JsonNode line = JSON.readTree(new CloudLoggingTrace(quarkusGcpFormatter(), null).format(traced("publish slow", true)));
        assertThat(line.path("trace").asText()).isEqualTo("projects/ingest-bridge/traces/" + TRACE_ID);
        assertThat(line.path("severity").asText()).isEqualTo("WARNING");
    }
}
