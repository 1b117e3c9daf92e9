package dev.fanout.reliability.faults;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import dev.fanout.analytics.bigquery.StorageSchemas;
import dev.fanout.analytics.schema.AnalyticsSchema;
import dev.fanout.analytics.schema.SchemaFiles;
import dev.fanout.analytics.schema.TableDef;
import dev.fanout.testsupport.bigquery.BigQueryWriteFake;
import dev.fanout.testsupport.pubsub.PubSubFake;
import dev.fanout.testsupport.s3.S3ProxyProcess;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The cloud shape on one machine under faults, with a conservation check per fault.
 *
 * <p>Processes: ingest-bridge, archive-sink, analytics-loader and alert-sink (their packaged
 * quarkus-app jars, each its own JVM, so kill -9 and SIGSTOP are real) and s3proxy; in this JVM:
 * the gRPC Pub/Sub fake, the BigQuery Write fake (+ WireMock for {@code tables.get}), WireMock as
 * Resend and a fault-injecting TCP proxy in front of s3proxy. The sinks use <b>pull</b> delivery
 * (StreamingPull with the real Subscriber): with push the fake would stand in for Pub/Sub's HTTP
 * retries and push window, while pull exercises the services' own flow control, lease extension
 * and redelivery after a lost stream — the path a killed or frozen sink takes.
 *
 * <p>Each fault is one phase with its own sequence numbers: the sender runs, the fault starts,
 * lasts a window, ends; then the phase is polled until every event answered 200 is in the archive
 * and in {@code events_raw} (or that sink's dead letters) and every subscription is drained.
 * Size: {@code -Dfaults.events} (CI: the pom's default; {@code reliability/faults.sh}: EVENTS).
 */
class CloudFaultsIT {

    private static final String PROJECT = "fault-project";
    private static final String DATASET = "analytics";
    private static final String TOPIC = "claude-events";
    private static final String BUCKET = "fanout-archive";
    private static final String TOKEN = "fault-suite-token";
    private static final List<String> SUBSCRIPTIONS = List.of("archive", "analytics", "alerts");
    /** Budget units per day given to the alert sink; its critical reserve (10) is not spendable by the default rule. */
    private static final int EMAIL_BUDGET_DAILY = 30;
    private static final int CRITICAL_RESERVE = 10;
    private static final Duration WINDOW = Duration.ofSeconds(Long.getLong("faults.window-seconds", 4));
    private static final Duration SEND_TIME = Duration.ofSeconds(Long.getLong("faults.send-seconds", 5));
    /** Longer than the subscriptions' 10 s ack deadline. */
    private static final Duration STOPPED_SINK = Duration.ofSeconds(13);
    private static final Duration RECOVER_TIMEOUT = Duration.ofSeconds(Long.getLong("faults.recover-timeout-seconds", 180));
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path root;
    private static Path work;
    private static PubSubFake pubsub;
    private static BigQueryWriteFake bigquery;
    private static WireMockServer bigqueryRest;
    private static WireMockServer resend;
    private static S3ProxyProcess s3;
    private static FaultProxy s3Proxy;
    private static final Map<String, ServiceProcess> services = new LinkedHashMap<>();
    private static final Conservation table = new Conservation();
    private static final SeqIndex archive = new SeqIndex();
    private static final SeqIndex raw = new SeqIndex();
    /** Dead letters by sink: the archive's in its bucket, the loader's in its own store. */
    private static final SeqIndex archiveDeadLetters = new SeqIndex();
    private static final SeqIndex analyticsDeadLetters = new SeqIndex();

    @BeforeAll
    static void startTheCloudShape() throws Exception {
        root = Path.of(System.getProperty("faults.root", "..")).toAbsolutePath().normalize();
        work = root.resolve("reliability/target/faults-cloud");
        deleteTree(work);
        Files.createDirectories(work);

        pubsub = PubSubFake.start().retainPublished(false);
        pubsub.createTopic(PROJECT, TOPIC);
        for (String s : SUBSCRIPTIONS) {
            pubsub.createSubscription(PROJECT, s, TOPIC, 10);
        }

        bigquery = BigQueryWriteFake.start();
        bigqueryRest = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        bigqueryRest.start();
        for (TableDef t : AnalyticsSchema.TABLES) {
            bigquery.createTable(PROJECT, DATASET, t.name(), StorageSchemas.of(t));
            stubTable(t);
        }

        resend = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        resend.start();
        resend.stubFor(post(urlPathEqualTo("/emails")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"id\":\"4ef9a417-02e9-4d39-ad75-9611e0fcc33c\"}")));
        resend.stubFor(post(urlPathEqualTo("/emails/batch")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"data\":[]}")));

        s3 = S3ProxyProcess.start(Path.of(System.getProperty(S3ProxyProcess.JAR_PROPERTY)), work.resolve("s3"), false);
        Files.createDirectories(s3.dataDir().resolve(BUCKET));
        s3Proxy = new FaultProxy(s3.endpoint().getPort());

        Map<String, String> pull = Map.of(
                "quarkus.profile", "dev",
                "fanout.consumer.mode", "pull",
                "fanout.pubsub.project-id", PROJECT,
                "fanout.pubsub.emulator-host", pubsub.hostPort());
        Path logs = work.resolve("logs");

        Map<String, String> archiveProps = new LinkedHashMap<>(pull);
        archiveProps.putAll(Map.of(
                "fanout.consumer.subscription", "archive",
                "fanout.archive.backend", "s3",
                // Shorter than the service's defaults (30 s socket, 60 s attempt) so a swallowed
                // request fails within a CI-sized run; the retry path is the same.
                "fanout.archive.s3.socket-timeout", "5s",
                "fanout.archive.s3.api-call-attempt-timeout", "10s",
                "fanout.archive.s3.api-call-timeout", "20s"));
        Map<String, String> s3Env = Map.of(
                "FANOUT_ARCHIVE_S3_ENDPOINT", "http://127.0.0.1:" + s3Proxy.port(),
                "FANOUT_ARCHIVE_S3_BUCKET", BUCKET,
                "FANOUT_ARCHIVE_S3_REGION", "us-east-1",
                "FANOUT_ARCHIVE_S3_ACCESS_KEY_ID", s3.accessKeyId(),
                "FANOUT_ARCHIVE_S3_SECRET_ACCESS_KEY", s3.secretAccessKey(),
                "AWS_REQUEST_CHECKSUM_CALCULATION", "when_required",
                "AWS_RESPONSE_CHECKSUM_VALIDATION", "when_required");

        Map<String, String> analyticsProps = new LinkedHashMap<>(pull);
        analyticsProps.putAll(Map.of(
                "fanout.consumer.subscription", "analytics",
                "fanout.analytics.backend", "bigquery",
                "fanout.analytics.bigquery.project-id", PROJECT,
                "fanout.analytics.bigquery.dataset", DATASET,
                "fanout.analytics.bigquery.write-endpoint", bigquery.hostPort(),
                "fanout.analytics.bigquery.rest-endpoint", "http://127.0.0.1:" + bigqueryRest.port(),
                "fanout.analytics.bigquery.location", bigquery.location(),
                "fanout.archive.backend", "fs",
                "fanout.archive.fs.dir", work.resolve("analytics-store").toString()));

        Map<String, String> alertProps = new LinkedHashMap<>(pull);
        alertProps.putAll(Map.of(
                "fanout.consumer.subscription", "alerts",
                "fanout.alerts.delivery", "resend",
                "fanout.alerts.resend.base-url", resend.baseUrl(),
                "fanout.alerts.resend.max-requests-per-second", "20",
                "fanout.alerts.group-wait", "2s",
                "fanout.alerts.budget.daily", Integer.toString(EMAIL_BUDGET_DAILY),
                "fanout.alerts.budget.critical-reserve", Integer.toString(CRITICAL_RESERVE),
                "fanout.alerts.budget.digest-wait", "10s",
                "fanout.alerts.state.backend", "file"));
        alertProps.putAll(Map.of(
                "fanout.alerts.state.dir", work.resolve("alerts-state").toString(),
                "fanout.archive.backend", "fs",
                "fanout.archive.fs.dir", work.resolve("alerts-store").toString()));

        Map<String, String> bridgeProps = new LinkedHashMap<>(Map.of(
                "quarkus.profile", "dev",
                "fanout.pubsub.project-id", PROJECT,
                "fanout.pubsub.emulator-host", pubsub.hostPort()));

        services.put("ingest-bridge", new ServiceProcess("ingest-bridge", jar("ingest-bridge"), logs, bridgeProps,
                Map.of("FANOUT_INGEST_TOKENS", TOKEN)));
        services.put("archive-sink", new ServiceProcess("archive-sink", jar("archive-sink"), logs, archiveProps, s3Env));
        services.put("analytics-loader", new ServiceProcess("analytics-loader", jar("analytics-loader"), logs, analyticsProps, Map.of()));
        services.put("alert-sink", new ServiceProcess("alert-sink", jar("alert-sink"), logs, alertProps,
                Map.of("FANOUT_ALERTS_RESEND_API_KEY", "re_fault_suite_key")));
        // One at a time: four JVMs starting at once on two cores take longer than in sequence.
        for (ServiceProcess p : services.values()) {
            p.start().awaitReady(ServiceProcess.START_TIMEOUT);
        }
    }

    @AfterAll
    static void stopEverything() throws Exception {
        for (ServiceProcess p : services.values()) {
            p.close();
        }
        if (s3Proxy != null) {
            s3Proxy.close();
        }
        if (s3 != null) {
            s3.close();
        }
        for (AutoCloseable c : new AutoCloseable[] {pubsub, bigquery}) {
            if (c != null) {
                c.close();
            }
        }
        for (WireMockServer w : new WireMockServer[] {bigqueryRest, resend}) {
            if (w != null) {
                w.stop();
            }
        }
    }

    /**
     * @param hits a running count of what met the fault (requests refused, connections faulted),
     *             reported per phase as evidence the fault was exercised; null where a count
     *             means nothing (a signal either happens or the test fails)
     */
    private record Fault(String name, ThrowingRunnable start, ThrowingRunnable end, java.util.function.IntSupplier hits) {
        Fault(String name, ThrowingRunnable start, ThrowingRunnable end) {
            this(name, start, end, null);
        }
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void everyEventAnswered200ReachesEverySinkWhateverFails() throws Exception {
        ServiceProcess bridge = services.get("ingest-bridge");
        List<StubMapping> resendFaults = new ArrayList<>();
        long[] rejectFrom = new long[1];
        List<Fault> faults = List.of(
                new Fault("none (baseline)", () -> { }, () -> { }),
                new Fault("Resend 429 (Retry-After 1)", () -> resendFaults.add(resend.stubFor(post(urlPathMatching("/emails.*"))
                        .atPriority(1).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1")
                                .withHeader("Content-Type", "application/json")
                                .withBody("{\"name\":\"rate_limit_exceeded\",\"message\":\"fault\"}")))),
                        () -> {
                            resendFaults.forEach(resend::removeStub);
                            resendFaults.clear();
                        }, () -> emailsSent()[1]),
                new Fault("Resend 500", () -> resendFaults.add(resend.stubFor(post(urlPathMatching("/emails.*"))
                        .atPriority(1).willReturn(aResponse().withStatus(500).withHeader("Content-Type", "application/json")
                                .withBody("{\"name\":\"internal_server_error\",\"message\":\"fault\"}")))),
                        () -> {
                            resendFaults.forEach(resend::removeStub);
                            resendFaults.clear();
                        }, () -> emailsSent()[1]),
                kill9("archive-sink"), sigstop("archive-sink"),
                kill9("analytics-loader"), sigstop("analytics-loader"),
                kill9("alert-sink"), sigstop("alert-sink"),
                kill9("ingest-bridge"), sigstop("ingest-bridge"),
                new Fault("Pub/Sub publish UNAVAILABLE", () -> pubsub.failAllPublishes(Status.UNAVAILABLE), pubsub::clearFaults),
                new Fault("Pub/Sub StreamingPull UNAVAILABLE", () -> pubsub.failStreamingPulls(Status.UNAVAILABLE), pubsub::clearFaults,
                        () -> SUBSCRIPTIONS.stream().mapToInt(pubsub::expired).sum()),
                new Fault("S3 503 SlowDown", () -> s3Proxy.mode(FaultProxy.Mode.HTTP_503), () -> s3Proxy.mode(FaultProxy.Mode.PASS),
                        () -> s3Proxy.faulted()),
                new Fault("S3 timeouts (requests swallowed)", () -> s3Proxy.mode(FaultProxy.Mode.BLACK_HOLE),
                        () -> s3Proxy.mode(FaultProxy.Mode.PASS), () -> s3Proxy.faulted()),
                new Fault("S3 connection resets", () -> s3Proxy.mode(FaultProxy.Mode.RESET), () -> s3Proxy.mode(FaultProxy.Mode.PASS),
                        () -> s3Proxy.faulted()),
                new Fault("BigQuery AppendRows UNAVAILABLE", () -> bigquery.faults().failFor(io.grpc.Status.Code.UNAVAILABLE, WINDOW),
                        () -> bigquery.faults().clear(), () -> bigquery.failedRequests()),
                new Fault("BigQuery row errors (1 in 50 rows)", () -> bigquery.faults().rejectRows(row -> {
                    long seq = Sender.seqOf(String.valueOf(row));
                    return seq >= rejectFrom[0] && seq % 50 == 7;
                }, "fault suite: row refused"), () -> bigquery.faults().clear(), () -> bigquery.failedRequests()));

        long total = Long.getLong("faults.events", 12_000);
        long perPhase = Math.max(Sender.EVENTS_PER_REQUEST * 4, total / faults.size());
        double rate = perPhase / (double) SEND_TIME.toSeconds();
        Set<Long> allAccepted = new HashSet<>();
        for (Fault f : faults) {
            Sender sender = new Sender(bridge.uri("/v1/events"), TOKEN, slug(f.name), perPhase, 4, rate);
            rejectFrom[0] = Long.MAX_VALUE;
            // Mid-batch: the sinks hold a part-filled batch (2 s max age) by now.
            Thread.sleep(1500);
            rejectFrom[0] = sender.accepted.stream().mapToLong(Long::longValue).max().orElse(0);
            int hitsBefore = f.hits == null ? 0 : f.hits.getAsInt();
            int refusedBefore = sender.refused.get();
            f.start.run();
            Thread.sleep(WINDOW.toMillis());
            long lifted = System.nanoTime();
            f.end.run();
            sender.awaitDone(SEND_TIME.plusSeconds(60));
            boolean converged = awaitConverged(sender.accepted, RECOVER_TIMEOUT);
            double recover = (System.nanoTime() - lifted) / 1e9;
            String hits = f.name.startsWith("Pub/Sub publish") ? (sender.refused.get() - refusedBefore) + " requests 503"
                    : f.hits == null ? "—" : (f.hits.getAsInt() - hitsBefore) + " " + hitsUnit(f.name);
            table.add(row(f.name, sender.accepted, sender.refused.get(), sender.failed.get(), converged, recover, hits));
            allAccepted.addAll(sender.accepted);
        }

        // Late redeliveries land after their phase converged: count them over the whole run.
        awaitConverged(allAccepted, RECOVER_TIMEOUT);
        Thread.sleep(5000);
        table.add(row("whole run, at the end", allAccepted, -1, -1, awaitConverged(allAccepted, RECOVER_TIMEOUT), -1, "—"));

        String title = "Cloud shape, " + allAccepted.size() + " events answered 200 (" + total + " sent), "
                + java.time.Instant.now();
        table.write(root.resolve("reliability/target/faults/cloud.md"), "### " + title);
        System.out.println("\n" + title + "\n" + table.table());

        for (Conservation.Row r : table.rows()) {
            assertThat(r.missing()).as("events answered 200 and missing after: " + r.fault()).isZero();
            assertThat(r.emailsSent()).as("e-mails sent vs budget after: " + r.fault())
                    .isLessThanOrEqualTo(EMAIL_BUDGET_DAILY);
        }
        assertThat(allAccepted).as("the run must have accepted events at all").isNotEmpty();
    }

    private static Fault kill9(String service) {
        return new Fault("kill -9 " + service + ", down " + WINDOW.toSeconds() + " s, restarted",
                () -> services.get(service).kill9(), () -> services.get(service).start(), () -> expiredLeases(service));
    }

    /**
     * A frozen process. A sink stays frozen past the subscription's 10 s ack deadline, so its
     * leases expire and Pub/Sub redelivers while the old process still holds the messages: when it
     * thaws it may write them and ack a delivery that is no longer current (duplicates, never
     * losses). The bridge stays frozen for the window only (the sender's requests time out).
     */
    private static Fault sigstop(String service) {
        Duration frozen = service.equals("ingest-bridge") ? WINDOW : STOPPED_SINK;
        return new Fault("SIGSTOP " + service + " " + frozen.toSeconds() + " s, SIGCONT", () -> {
            services.get(service).sigstop();
            Thread.sleep(frozen.minus(WINDOW).toMillis());
        }, () -> services.get(service).sigcont(), () -> expiredLeases(service));
    }

    private static String hitsUnit(String fault) {
        if (fault.startsWith("kill") || fault.startsWith("SIGSTOP") || fault.contains("StreamingPull")) {
            return "leases expired";
        }
        if (fault.startsWith("S3")) {
            return "connections faulted";
        }
        if (fault.startsWith("BigQuery")) {
            return "appends refused";
        }
        return fault.startsWith("Resend") ? "requests refused" : "";
    }

    /** Leases of the service's subscription that ran out (redelivered), 0 for the bridge. */
    private static int expiredLeases(String service) {
        return switch (service) {
            case "archive-sink" -> pubsub.expired("archive");
            case "analytics-loader" -> pubsub.expired("analytics");
            case "alert-sink" -> pubsub.expired("alerts");
            default -> 0;
        };
    }

    private static Conservation.Row row(String fault, Set<Long> accepted, int refused, int failed, boolean converged,
            double recover, String hits) {
        refresh();
        int[] mails = emailsSent();
        return new Conservation.Row(fault, "cloud", accepted.size(), refused, failed,
                Conservation.SinkCount.of(accepted, archive, archiveDeadLetters),
                Conservation.SinkCount.of(accepted, raw, analyticsDeadLetters),
                mails[0], EMAIL_BUDGET_DAILY, recover, converged, hits);
    }

    private static void refresh() {
        archive.scanObjects(s3.dataDir().resolve(BUCKET).resolve("events"), false);
        raw.scanRows(bigquery.rows(AnalyticsSchema.EVENTS_RAW));
        analyticsDeadLetters.scanObjects(work.resolve("analytics-store").resolve("dead-letter"), true);
        archiveDeadLetters.scanObjects(s3.dataDir().resolve(BUCKET).resolve("dead-letter"), true);
    }

    private static boolean awaitConverged(Set<Long> accepted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            refresh();
            boolean all = accepted.stream().allMatch(s -> archive.count(s) > 0 || archiveDeadLetters.reason(s) != null)
                    && accepted.stream().allMatch(s -> raw.count(s) > 0 || analyticsDeadLetters.reason(s) != null);
            boolean drained = SUBSCRIPTIONS.stream().allMatch(sub -> pubsub.pending(sub) == 0 && pubsub.outstanding(sub) == 0);
            if (all && drained) {
                return true;
            }
            // The sinks write on their own schedule (batch age 2 s): poll.
            Thread.sleep(250);
        }
        return false;
    }

    /** {sent e-mails (distinct Idempotency-Keys answered 2xx, batch entries counted), requests answered non-2xx}. */
    private static int[] emailsSent() {
        Set<String> keys = new HashSet<>();
        int units = 0;
        int refused = 0;
        for (ServeEvent e : resend.getAllServeEvents()) {
            int status = e.getResponse().getStatus();
            if (status / 100 != 2) {
                refused++;
                continue;
            }
            String key = e.getRequest().getHeader("Idempotency-Key");
            if (!keys.add(key)) {
                continue; // Resend answers a repeated key with the first e-mail: none sent again
            }
            try {
                JsonNode body = JSON.readTree(e.getRequest().getBodyAsString());
                List<JsonNode> mails = new ArrayList<>();
                if (body.isArray()) {
                    body.forEach(mails::add);
                } else {
                    mails.add(body);
                }
                for (JsonNode m : mails) {
                    units += Math.max(1, m.path("to").size()) + m.path("cc").size() + m.path("bcc").size();
                }
            } catch (Exception bad) {
                units++;
            }
        }
        return new int[] {units, refused};
    }

    private static void stubTable(TableDef t) throws Exception {
        ArrayNode fields = (ArrayNode) JSON.readTree(SchemaFiles.shipped(t));
        ObjectNode table = JSON.createObjectNode();
        table.put("kind", "bigquery#table");
        table.putObject("tableReference").put("projectId", PROJECT).put("datasetId", DATASET).put("tableId", t.name());
        table.put("type", "TABLE");
        table.putObject("schema").set("fields", fields);
        table.putObject("timePartitioning").put("type", "DAY").put("field", t.partitionColumn());
        bigqueryRest.stubFor(get(urlPathEqualTo("/bigquery/v2/projects/" + PROJECT + "/datasets/" + DATASET + "/tables/" + t.name()))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(table.toString())));
    }

    private static Path jar(String module) {
        return root.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
    }

    static String slug(String name) {
        String s = name.toLowerCase().replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
        return s.length() > 24 ? s.substring(0, 24) : s;
    }

    static void deleteTree(Path dir) throws Exception {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
