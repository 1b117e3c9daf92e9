package dev.fanout.local;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.fanout.consumer.DurableBus;
import dev.fanout.consumer.InProcessBus;
import dev.fanout.events.Envelope;
import dev.fanout.events.port.EventPublisher;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The composed app: Cribl bodies in over HTTP, gzip NDJSON objects out in the data directory. */
@QuarkusTest
@TestProfile(LocalTestProfile.class)
class LocalPipelineTests {

    private static final Duration ARCHIVE_WAIT = Duration.ofSeconds(30);

    @ConfigProperty(name = "FANOUT_DATA_DIR")
    String dataDir;
    @Inject
    EventPublisher publisher;
    @Inject
    InProcessBus bus;
    @Inject
    StartupBanner banner;
    @Inject
    IngestGate gate;

    private Path archive;
    private String token;

    @BeforeEach
    void setUp() throws Exception {
        archive = Path.of(dataDir, "archive");
        token = Files.readString(Path.of(dataDir, GeneratedTokenSource.FILE_NAME)).strip();
    }

    @Test
    void theBridgePublishesToTheDurableJournal() throws Exception {
        // The same bean serves both ends: what the bridge publishes is what the runtime consumes.
        assertThat(publisher).isSameAs(bus);
        assertThat(bus).isInstanceOf(DurableBus.class);
        assertThat(bus.backlog()).containsOnlyKeys("archive", "analytics", "alerts");
        // A 200 means the events are in the journal's segment files under the data directory.
        Path segments = Path.of(dataDir, "journal", "segments");
        long before = ((DurableBus) bus).stats().published();
        post(CriblBodies.ndjson(CriblBodies.raws("journal", 3)), null).then().statusCode(200);
        assertThat(((DurableBus) bus).stats().published()).isEqualTo(before + 1);
        try (var files = Files.list(segments)) {
            assertThat(files.filter(f -> f.toString().endsWith(".seg"))).isNotEmpty();
        }
    }

    @Test
    void readinessAndMetricsShowEachSinksBacklog() {
        given().when().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'fanout-local-bus' }.data.'archive.backlog-messages'", org.hamcrest.Matchers.notNullValue())
                .body("checks.find { it.name == 'fanout-local-bus' }.data.'journal.torn-tails'", equalTo(0));
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("fanout_consumer_local_backlog_messages{sink=\"archive\"}")
                .contains("fanout_consumer_local_backlog_oldest_age_seconds{sink=\"analytics\"}")
                .contains("fanout_consumer_local_journal_disk_bytes");
    }

    @Test
    void ndjsonIsArchivedUnderItsDeterministicIds() throws Exception {
        List<String> raws = CriblBodies.raws("ndjson", 5);
        byte[] body = CriblBodies.ndjson(raws);
        post(body, null).then().statusCode(200).body("accepted", equalTo(5)).body("malformed", equalTo(0));

        List<String> ids = CriblBodies.expectedIds(body, 5);
        List<Envelope> archived = ArchiveFiles.awaitEnvelopes(archive, ARCHIVE_WAIT, all -> idsOf(all).containsAll(ids));
        List<Envelope> mine = archived.stream().filter(e -> ids.contains(e.id())).toList();
        assertThat(mine).hasSize(5);
        assertThat(mine).extracting(Envelope::raw).containsExactlyInAnyOrderElementsOf(raws);
        assertThat(mine).extracting(Envelope::host).containsOnly("web-1");
    }

    @Test
    void aReplayWithTheGeneratedReplayTokenIsJournaledAndNotArchivedASecondTime() throws Exception {
        Path file = Path.of(dataDir, GeneratedTokenSource.REPLAY_FILE_NAME);
        String replayToken = Files.readString(file).strip();
        assertThat(replayToken).hasSize(43).isNotEqualTo(token);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        String envelope = "{\"id\":\"5e1ec7ed5e1ec7ed5e1ec7ed5e1ec7ed\",\"schema\":1,\"time\":\"2026-11-23T10:00:00Z\","
                + "\"time_source\":\"event\",\"received_at\":\"2026-11-23T10:00:01Z\",\"severity\":\"info\","
                + "\"raw\":\"replayed\",\"fields\":{}}\n";
        // The ingest token cannot choose ids.
        given().header("Authorization", "Bearer " + token).header("Fanout-Replay", "local-1").body(envelope)
                .when().post("/v1/envelopes").then().statusCode(403).body("error", equalTo("replay_token_required"));

        long before = ((DurableBus) bus).stats().published();
        given().header("Authorization", "Bearer " + replayToken).header("Fanout-Replay", "local-1").body(envelope)
                .when().post("/v1/envelopes").then().statusCode(200).body("accepted", equalTo(1)).body("rejected", equalTo(0));
        assertThat(((DurableBus) bus).stats().published()).isEqualTo(before + 1);

        // Live traffic published after it is archived; the replayed event, already in the archive it
        // came from, is not (fanout.archive.skip-replays defaults to true).
        byte[] live = CriblBodies.ndjson(CriblBodies.raws("after-replay", 1));
        post(live, null).then().statusCode(200);
        List<String> ids = CriblBodies.expectedIds(live, 1);
        List<Envelope> archived = ArchiveFiles.awaitEnvelopes(archive, ARCHIVE_WAIT, all -> idsOf(all).containsAll(ids));
        assertThat(idsOf(archived)).doesNotContain("5e1ec7ed5e1ec7ed5e1ec7ed5e1ec7ed");
    }

    @Test
    void gzipJsonArrayIsArchived() throws Exception {
        List<String> raws = CriblBodies.raws("array-gz", 4);
        byte[] json = CriblBodies.jsonArray(raws);
        post(CriblBodies.gzip(json), "gzip").then().statusCode(200).body("accepted", equalTo(4));

        // Ids hash the decompressed body, so a retried request yields the same ids whatever its encoding.
        List<String> ids = CriblBodies.expectedIds(json, 4);
        List<Envelope> archived = ArchiveFiles.awaitEnvelopes(archive, ARCHIVE_WAIT, all -> idsOf(all).containsAll(ids));
        assertThat(archived.stream().filter(e -> ids.contains(e.id())).map(Envelope::raw))
                .containsExactlyInAnyOrderElementsOf(raws);
    }

    @Test
    void gzipWithoutContentEncodingIsSniffed() throws Exception {
        List<String> raws = CriblBodies.raws("sniffed", 3);
        byte[] ndjson = CriblBodies.ndjson(raws);
        post(CriblBodies.gzip(ndjson), null).then().statusCode(200).body("accepted", equalTo(3));

        List<String> ids = CriblBodies.expectedIds(ndjson, 3);
        ArchiveFiles.awaitEnvelopes(archive, ARCHIVE_WAIT, all -> idsOf(all).containsAll(ids));
    }

    @Test
    void aMalformedLineIsKeptAsARawEvent() throws Exception {
        String bad = "{\"_time\":1732371234.567,\"_raw\":\"cut off";
        byte[] body = (CriblBodies.event("good-line", "info") + "\n" + bad + "\n").getBytes(StandardCharsets.UTF_8);
        post(body, null).then().statusCode(200).body("accepted", equalTo(2)).body("malformed", equalTo(1));

        List<Envelope> archived = ArchiveFiles.awaitEnvelopes(archive, ARCHIVE_WAIT,
                all -> all.stream().anyMatch(e -> bad.equals(e.raw())));
        Envelope kept = archived.stream().filter(e -> bad.equals(e.raw())).findFirst().orElseThrow();
        assertThat(kept.malformed()).isTrue();
        assertThat(archived).anyMatch(e -> "good-line".equals(e.raw()) && !e.malformed());
    }

    @Test
    void ingestNeedsTheGeneratedToken() {
        given().body("{}\n").when().post("/v1/events").then().statusCode(401).body("error", equalTo("missing_token"));
        given().header("Authorization", "Bearer not-" + token).body("{}\n").when().post("/v1/events")
                .then().statusCode(401).body("error", equalTo("invalid_token"));
        // ingest-bridge's %test tokens travel in its jar; the local profile must not pick them up.
        given().header("Authorization", "Bearer test-token-a").body("{}\n").when().post("/v1/events")
                .then().statusCode(401);
        // Basic auth with the token as the password, as Cribl can send it.
        given().auth().preemptive().basic("cribl", token).body(CriblBodies.event("basic", "info") + "\n")
                .when().post("/v1/events").then().statusCode(200);
    }

    @Test
    void theTokenFileIsPrivateAndTheBannerShowsTokenUrlAndArchive() throws Exception {
        Path file = Path.of(dataDir, GeneratedTokenSource.FILE_NAME);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(token).hasSize(43).matches("[A-Za-z0-9_-]+");
        String text = banner.text();
        assertThat(text).isNotNull()
                .contains("/v1/events")
                .contains("Authorization: Bearer " + token)
                .contains(file.toAbsolutePath().normalize().toString())
                .contains("zcat " + archive.toAbsolutePath().normalize().resolve("events") + "/dt=*/hr=*/*.ndjson.gz")
                .contains("200      the events are in the journal " + Path.of(dataDir, "journal").toAbsolutePath().normalize()
                        + ", forced to disk before the answer")
                .contains("the rest stays in the journal for the next start; backlog now: ")
                .containsPattern("backlog now: .*archive \\d+");
    }

    @Test
    void localModeHasNoPushEndpointAndReportsReady() {
        given().contentType("application/json").body("{}").when().post("/v1/push/archive").then().statusCode(404);
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void answeredRequestsLeaveNothingInFlightAtTheGate() throws Exception {
        for (int i = 0; i < 3; i++) {
            post(CriblBodies.ndjson(List.of("gate-" + i)), null).then().statusCode(200);
        }
        // The gate's count drops when Vert.x has finished the response, just after the client sees it.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (gate.inFlight() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(gate.inFlight()).isZero();
        assertThat(gate.closed()).isFalse();
    }

    private io.restassured.response.Response post(byte[] body, String contentEncoding) {
        var req = given().header("Authorization", "Bearer " + token).contentType("application/x-ndjson").body(body);
        if (contentEncoding != null) {
            req = req.header("Content-Encoding", contentEncoding);
        }
        return req.when().post("/v1/events");
    }

    private static Set<String> idsOf(List<Envelope> envelopes) {
        Set<String> s = new HashSet<>();
        for (Envelope e : envelopes) {
            s.add(e.id());
        }
        return s;
    }

}
