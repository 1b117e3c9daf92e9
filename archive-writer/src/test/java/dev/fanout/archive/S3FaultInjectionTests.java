package dev.fanout.archive;

import dev.fanout.testsupport.events.TestEvents;

import dev.fanout.store.ArchiveCodec;
import dev.fanout.store.ArchiveLayout;
import dev.fanout.store.S3ObjectStore;
import dev.fanout.store.S3Settings;
import dev.fanout.store.S3ClientFactory;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.head;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.common.ConsoleNotifier;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.fanout.events.Envelope;
import dev.fanout.testsupport.s3.S3ProxyProcess;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Faults between the sink and a real S3 server (s3proxy): WireMock injects errors, delays and
 * broken connections for the requests a {@link FaultFront} routes to it; all other requests reach
 * s3proxy byte for byte. Every failed write must throw (the runtime then never acks), must not
 * leave an object behind unless the server really stored it, and a later retry must archive the
 * batch exactly once.
 */
class S3FaultInjectionTests {

    private static final int MAX_ATTEMPTS = 2;
    /**
     * Timeouts of the impatient client used for delay faults; the injected delay exceeds them by
     * far. Every other test uses generous timeouts so a loaded CI machine cannot add attempts.
     */
    private static final Duration IMPATIENT_SOCKET_TIMEOUT = Duration.ofMillis(1_000);
    private static final int DELAY_BEYOND_TIMEOUT_MS = 5_000;
    private static final String OBJECT_PUT = "/[^/]+/events/.*";

    private static S3ProxyProcess proxy;
    private static S3Client admin;
    private static WireMockServer wm;
    private static FaultFront front;
    private static final AtomicInteger BUCKETS = new AtomicInteger();

    private S3ObjectStore direct;
    private S3ObjectStore viaFaults;
    private S3ObjectStore viaFaultsImpatient;
    private ArchiveSink sink;
    private ArchiveSink impatientSink;
    private List<Envelope> batch;

    @BeforeAll
    static void start() throws Exception {
        proxy = S3ProxyProcess.start();
        admin = S3ClientFactory.create(S3ObjectStoreTests.settingsFor(proxy, "unused"));
        wm = new WireMockServer(options()
                .bindAddress("127.0.0.1")
                .dynamicPort()
                .notifier(new ConsoleNotifier(false)));
        wm.start();
        front = new FaultFront(proxy.endpoint(), URI.create(wm.baseUrl()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (front != null) {
            front.close();
        }
        if (wm != null) {
            wm.stop();
        }
        if (admin != null) {
            admin.close();
        }
        if (proxy != null) {
            proxy.stop();
        }
    }

    @BeforeEach
    void setUp() {
        String bucket = "faults-" + BUCKETS.incrementAndGet();
        admin.createBucket(b -> b.bucket(bucket));
        wm.resetAll();
        front.reset();
        S3Settings toProxy = S3ObjectStoreTests.settingsFor(proxy, bucket);
        direct = new S3ObjectStore(toProxy);
        S3Settings toFaults = toProxy.withEndpoint(front.endpoint())
                .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(20), Duration.ofSeconds(30), Duration.ofSeconds(60))
                .withMaxAttempts(MAX_ATTEMPTS);
        viaFaults = new S3ObjectStore(toFaults);
        sink = new ArchiveSink(viaFaults, new ArchiveLayout("events"), new ArchiveCodec(6));
        viaFaultsImpatient = new S3ObjectStore(toFaults.withTimeouts(
                Duration.ofSeconds(5), IMPATIENT_SOCKET_TIMEOUT, Duration.ofSeconds(2), Duration.ofSeconds(10)));
        impatientSink = new ArchiveSink(viaFaultsImpatient, new ArchiveLayout("events"), new ArchiveCodec(6));
        batch = TestEvents.batch(1, 50, Instant.parse("2026-11-23T10:00:00Z"), 60_000L);
    }

    @AfterEach
    void tearDown() {
        direct.close();
        viaFaults.close();
        viaFaultsImpatient.close();
    }

    private static void faultObjectPuts() {
        front.routeToWireMock(h -> h.isObjectPut("events/"));
    }

    private static void liftFaults() {
        wm.resetAll();
        front.reset();
    }

    private static String s3Error(String code) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>injected</Message>"
                + "<RequestId>fault</RequestId></Error>";
    }

    private int objectPuts() {
        return wm.countRequestsMatching(putRequestedFor(urlPathMatching(OBJECT_PUT)).build()).getCount();
    }

    /** After a fault is lifted, the same batch is archived exactly once and a third delivery adds nothing. */
    private void assertRetryArchivesExactlyOnce() throws Exception {
        liftFaults();
        sink.write(batch);
        List<String> keys = direct.list("events/");
        assertThat(keys).hasSize(1);
        assertThat(ArchiveCodec.decode(direct.get(keys.get(0)).orElseThrow().body()))
                .containsExactlyInAnyOrderElementsOf(batch);
        sink.write(batch);
        assertThat(direct.list("")).isEqualTo(keys);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"500, InternalError", "503, ServiceUnavailable", "503, SlowDown", "429, TooManyRequests"})
    void serverErrorsFailTheWriteAfterBoundedRetries(int status, String code) throws Exception {
        faultObjectPuts();
        wm.stubFor(put(urlPathMatching(OBJECT_PUT)).atPriority(1)
                .willReturn(aResponse().withStatus(status).withHeader("Content-Type", "application/xml")
                        .withBody(s3Error(code))));

        assertThatThrownBy(() -> sink.write(batch))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(status))
                .satisfies(e -> assertThat(sink.isTransient(e)).isTrue());
        assertThat(objectPuts()).isEqualTo(MAX_ATTEMPTS);
        assertThat(direct.list("")).isEmpty();

        assertRetryArchivesExactlyOnce();
    }

    @ParameterizedTest
    @EnumSource(value = Fault.class, names = {"CONNECTION_RESET_BY_PEER", "EMPTY_RESPONSE", "RANDOM_DATA_THEN_CLOSE"})
    void brokenConnectionsFailTheWriteAsTransient(Fault fault) throws Exception {
        faultObjectPuts();
        wm.stubFor(put(urlPathMatching(OBJECT_PUT)).atPriority(1).willReturn(aResponse().withFault(fault)));

        assertThatThrownBy(() -> sink.write(batch))
                .isInstanceOf(SdkClientException.class)
                .satisfies(e -> assertThat(sink.isTransient(e)).as("%s", e).isTrue());
        assertThat(objectPuts()).isEqualTo(MAX_ATTEMPTS);
        assertThat(direct.list("")).isEmpty();

        assertRetryArchivesExactlyOnce();
    }

    @Test
    void serverSlowerThanTheTimeoutFailsTheWrite() throws Exception {
        faultObjectPuts();
        wm.stubFor(put(urlPathMatching(OBJECT_PUT)).atPriority(1)
                .willReturn(aResponse().withStatus(200).withFixedDelay(DELAY_BEYOND_TIMEOUT_MS)));

        assertThatThrownBy(() -> impatientSink.write(batch)).isInstanceOf(SdkException.class)
                .satisfies(e -> assertThat(sink.isTransient(e)).as("%s", e).isTrue());
        assertThat(objectPuts()).isBetween(1, MAX_ATTEMPTS);
        assertThat(direct.list("")).isEmpty();

        assertRetryArchivesExactlyOnce();
    }

    @Test
    void lostResponseAfterTheObjectWasStoredIsResolvedByThe412() throws Exception {
        // The PUT reaches s3proxy and is stored, but the answer arrives after the client gave up:
        // the write must still fail (the client cannot know), and the retry must not duplicate it.
        front.delayS3ProxyResponses(DELAY_BEYOND_TIMEOUT_MS);

        assertThatThrownBy(() -> impatientSink.write(batch)).isInstanceOf(SdkException.class)
                .satisfies(e -> assertThat(sink.isTransient(e)).isTrue());

        assertThat(direct.list("events/")).as("s3proxy stored the object").hasSize(1);
        RecordingStore recording = new RecordingStore(viaFaults);
        ArchiveSink retrying = new ArchiveSink(recording, new ArchiveLayout("events"), new ArchiveCodec(6));
        liftFaults();
        retrying.write(batch);

        assertThat(recording.existing).hasSize(1);
        assertThat(recording.created).isEmpty();
        List<String> keys = direct.list("");
        assertThat(keys).containsExactlyElementsOf(recording.existing);
        assertThat(ArchiveCodec.decode(direct.get(keys.get(0)).orElseThrow().body()))
                .containsExactlyInAnyOrderElementsOf(batch);
    }

    @Test
    void forbiddenIsPermanentNotRetriedAndFailsReadiness() throws Exception {
        front.routeToWireMock(h -> true);
        wm.stubFor(any(anyUrl()).atPriority(1)
                .willReturn(aResponse().withStatus(403).withHeader("Content-Type", "application/xml")
                        .withBody(s3Error("AccessDenied"))));

        assertThatThrownBy(() -> sink.write(batch))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403))
                .satisfies(e -> assertThat(sink.isTransient(e)).isFalse());
        assertThat(objectPuts()).isEqualTo(1);
        assertThat(direct.list("")).isEmpty();

        assertThatThrownBy(sink::checkReady)
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));

        liftFaults();
        sink.checkReady();
        assertRetryArchivesExactlyOnce();
    }

    @Test
    void readinessFailsWhenTheServerErrs() {
        front.routeToWireMock(h -> h.method().equals("HEAD"));
        wm.stubFor(head(anyUrl()).atPriority(1).willReturn(aResponse().withStatus(503)));
        assertThatThrownBy(sink::checkReady).isInstanceOf(S3Exception.class)
                .satisfies(e -> assertThat(sink.isTransient(e)).isTrue());
    }

    @Test
    void requestsAreR2Safe() throws Exception {
        sink.write(batch);
        sink.checkReady();

        List<FaultFront.Head> puts = front.seen().stream().filter(h -> h.isObjectPut("events/")).toList();
        assertThat(puts).hasSize(1);
        FaultFront.Head req = puts.get(0);
        assertThat(req.header("If-None-Match")).isEqualTo("*");
        assertThat(req.header("Content-Type")).isEqualTo("application/gzip");
        assertThat(req.header("Content-Length")).isNotNull();
        assertThat(req.header("Content-Encoding")).isNull();
        assertThat(req.header("Transfer-Encoding")).isNull();
        assertThat(req.header("x-amz-content-sha256")).doesNotStartWith("STREAMING-");
        assertThat(req.header("x-amz-meta-fanout-event-count")).isEqualTo("50");
        assertThat(req.header("Authorization")).contains("/auto/s3/aws4_request");
        assertThat(URLDecoder.decode(req.target(), StandardCharsets.UTF_8)).matches("/faults-\\d+/events/dt=2026-11-23/hr=10/[0-9a-f]{32}\\.ndjson\\.gz");
        for (FaultFront.Head any : front.seen()) {
            assertThat(any.headers().keySet()).as(any.method() + " " + any.target())
                    .noneMatch(h -> h.startsWith("x-amz-checksum") || h.startsWith("x-amz-sdk-checksum"))
                    .noneMatch(h -> h.equals("x-amz-acl") || h.startsWith("x-amz-grant"))
                    .noneMatch(h -> h.equals("x-amz-tagging") || h.startsWith("x-amz-object-lock"));
        }
    }
}
