package dev.fanout.archive;

import dev.fanout.testsupport.events.TestEvents;

import dev.fanout.store.ArchiveCodec;
import dev.fanout.store.ArchiveLayout;
import dev.fanout.store.S3ObjectStore;
import dev.fanout.store.S3Settings;
import dev.fanout.store.PutResult;
import dev.fanout.store.StoredObject;
import dev.fanout.store.ArchiveRetryClassifier;
import dev.fanout.store.S3ClientFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.events.Envelope;
import dev.fanout.testsupport.s3.S3ProxyProcess;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** The S3 adapter with the real AWS SDK client (R2 settings) against s3proxy in its own process. */
class S3ObjectStoreTests {

    private static S3ProxyProcess proxy;
    private static S3Client admin;
    private static final AtomicInteger BUCKETS = new AtomicInteger();

    private S3Settings settings;
    private S3ObjectStore s3;
    private RecordingStore store;
    private ArchiveSink sink;

    @BeforeAll
    static void startProxy() throws Exception {
        proxy = S3ProxyProcess.start();
        admin = S3ClientFactory.create(settingsFor(proxy, "unused"));
    }

    @AfterAll
    static void stopProxy() {
        if (admin != null) {
            admin.close();
        }
        if (proxy != null) {
            proxy.stop();
        }
    }

    static S3Settings settingsFor(S3ProxyProcess p, String bucket) {
        return S3Settings.of(p.endpoint(), bucket, p.accessKeyId(), p.secretAccessKey());
    }

    @BeforeEach
    void freshBucket() {
        String bucket = "archive-" + BUCKETS.incrementAndGet();
        admin.createBucket(b -> b.bucket(bucket));
        settings = settingsFor(proxy, bucket);
        s3 = new S3ObjectStore(settings);
        store = new RecordingStore(s3);
        sink = new ArchiveSink(store, new ArchiveLayout("events"), new ArchiveCodec(6));
    }

    @Test
    void writesPartitionedObjectsAndReadsThemBack() throws Exception {
        List<Envelope> batch = TestEvents.batch(1, 400, Instant.parse("2026-11-23T07:30:00Z"), 60 * 60_000L);
        sink.write(batch);

        List<String> keys = s3.list("events/");
        assertThat(keys).hasSize(2);
        assertThat(keys.get(0)).matches("events/dt=2026-11-23/hr=07/[0-9a-f]{32}\\.ndjson\\.gz");
        assertThat(keys.get(1)).startsWith("events/dt=2026-11-23/hr=08/");
        List<Envelope> back = new ArrayList<>();
        for (String key : keys) {
            StoredObject obj = s3.get(key).orElseThrow();
            assertThat(obj.contentType()).isEqualTo("application/gzip");
            assertThat(obj.contentEncoding()).isNull();
            List<Envelope> events = ArchiveCodec.decode(obj.body());
            assertThat(obj.userMetadata()).containsEntry(ArchiveSink.META_EVENT_COUNT, Integer.toString(events.size()))
                    .containsEntry(ArchiveSink.META_MIN_EVENT_TIME, events.get(0).time().toString())
                    .containsEntry(ArchiveSink.META_MAX_EVENT_TIME, events.get(events.size() - 1).time().toString())
                    .containsEntry(ArchiveSink.META_SCHEMA, "1");
            back.addAll(events);
        }
        assertThat(back).containsExactlyInAnyOrderElementsOf(batch);
    }

    @Test
    void sameBatchTwiceLeavesOneObjectThroughThe412Path() throws Exception {
        List<Envelope> batch = TestEvents.batch(1, 100, Instant.parse("2026-11-23T07:00:00Z"), 60_000L);
        sink.write(batch);
        List<Envelope> shuffled = new ArrayList<>(batch);
        Collections.shuffle(shuffled, new Random(3));
        sink.write(shuffled);

        assertThat(store.created).hasSize(1);
        assertThat(store.existing).containsExactlyElementsOf(store.created);
        assertThat(s3.list("")).containsExactlyElementsOf(store.created);

        // A different body under an existing key is refused by the server, not overwritten.
        String key = store.created.get(0);
        byte[] original = s3.get(key).orElseThrow().body();
        assertThat(s3.putIfAbsent(key, "other".getBytes(StandardCharsets.UTF_8), Map.of(), null, null))
                .isEqualTo(PutResult.ALREADY_EXISTS);
        assertThat(s3.get(key).orElseThrow().body()).isEqualTo(original);
    }

    @Test
    void readinessIsHeadBucket() throws Exception {
        sink.checkReady();

        try (S3ObjectStore missing = new S3ObjectStore(settings.withBucket("no-such-bucket"))) {
            assertThatThrownBy(missing::checkReady)
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(404))
                    .satisfies(e -> assertThat(ArchiveRetryClassifier.isTransient(e)).isFalse());
        }
    }

    @Test
    void wrongCredentialsArePermanentFailures() throws Exception {
        S3Settings bad = new S3Settings(settings.endpoint(), settings.bucket(), "auto", settings.accessKeyId(),
                "wrong-secret", true, settings.connectTimeout(), settings.socketTimeout(),
                settings.apiCallAttemptTimeout(), settings.apiCallTimeout(), 2, 2);
        try (S3ObjectStore badStore = new S3ObjectStore(bad)) {
            ArchiveSink badSink = new ArchiveSink(badStore, new ArchiveLayout("events"), new ArchiveCodec(1));
            assertThatThrownBy(() -> badSink.write(TestEvents.batch(1, 3, Instant.now(), 10)))
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403))
                    .satisfies(e -> assertThat(badSink.isTransient(e)).isFalse());
            assertThatThrownBy(badSink::checkReady).isInstanceOf(S3Exception.class);
        }
        assertThat(s3.list("")).isEmpty();
    }

    @Test
    void settingsNeverPrintSecrets() {
        assertThat(settings.toString()).doesNotContain(proxy.secretAccessKey()).doesNotContain(proxy.accessKeyId())
                .contains(settings.bucket());
    }
}
