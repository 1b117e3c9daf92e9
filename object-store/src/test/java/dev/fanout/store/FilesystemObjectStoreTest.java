package dev.fanout.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilesystemObjectStoreTest {

    @TempDir
    Path dir;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void createsOnceAndNeverOverwrites() throws Exception {
        FilesystemObjectStore store = new FilesystemObjectStore(dir);
        String key = "events/dt=2026-11-23/hr=07/abc.ndjson.gz";

        assertThat(store.putIfAbsent(key, bytes("first"), Map.of("fanout-event-count", "1"), "application/gzip", null))
                .isEqualTo(PutResult.CREATED);
        assertThat(store.putIfAbsent(key, bytes("second"), Map.of("fanout-event-count", "2"), "text/plain", "x"))
                .isEqualTo(PutResult.ALREADY_EXISTS);

        assertThat(Files.readString(dir.resolve(key))).isEqualTo("first");
        StoredObject obj = store.get(key).orElseThrow();
        assertThat(obj.body()).isEqualTo(bytes("first"));
        assertThat(obj.userMetadata()).containsExactly(Map.entry("fanout-event-count", "1"));
        assertThat(obj.contentType()).isEqualTo("application/gzip");
        assertThat(obj.contentEncoding()).isNull();
    }

    @Test
    void leavesNoTempFilesAndListsOnlyObjects() throws Exception {
        FilesystemObjectStore store = new FilesystemObjectStore(dir);
        store.putIfAbsent("a/x.bin", bytes("1"), Map.of(), null, null);
        store.putIfAbsent("a/y.bin", bytes("2"), Map.of(), null, null);
        store.putIfAbsent("b/z.bin", bytes("3"), Map.of(), null, null);

        assertThat(store.list("")).containsExactly("a/x.bin", "a/y.bin", "b/z.bin");
        assertThat(store.list("a/")).containsExactly("a/x.bin", "a/y.bin");
        assertThat(store.list("a/y")).containsExactly("a/y.bin");
        assertThat(store.list("a")).containsExactly("a/x.bin", "a/y.bin");
        assertThat(store.list("missing/dir/")).isEmpty();
        assertThat(store.list("../")).isEmpty();
        try (Stream<Path> all = Files.walk(dir)) {
            assertThat(all.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
        assertThat(store.get("a/missing.bin")).isEmpty();
    }

    @Test
    void concurrentWritersOfOneKeyCreateItExactlyOnce() throws Exception {
        FilesystemObjectStore store = new FilesystemObjectStore(dir);
        int writers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<PutResult>> results = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                byte[] body = bytes("writer-" + i);
                Callable<PutResult> put = () -> {
                    start.await();
                    return store.putIfAbsent("k/same.bin", body, Map.of(), null, null);
                };
                results.add(pool.submit(put));
            }
            start.countDown();
            int created = 0;
            for (Future<PutResult> f : results) {
                if (f.get() == PutResult.CREATED) {
                    created++;
                }
            }
            assertThat(created).isEqualTo(1);
            assertThat(Files.readString(dir.resolve("k/same.bin"))).startsWith("writer-");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void rejectsKeysThatEscapeOrHitReservedNames() {
        FilesystemObjectStore store = new FilesystemObjectStore(dir);
        for (String bad : List.of("../x", "a/../../x", "/abs", "a//b", ".hidden", "a/.x.meta.json", "a/", "", "a\\b")) {
            assertThatThrownBy(() -> store.putIfAbsent(bad, new byte[0], Map.of(), null, null))
                    .as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void readinessProbesTheDirectory() throws Exception {
        new FilesystemObjectStore(dir.resolve("new/archive")).checkReady();
        assertThat(dir.resolve("new/archive")).isDirectory();

        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        assertThatThrownBy(() -> new FilesystemObjectStore(file).checkReady()).isInstanceOf(java.io.IOException.class);
        try (Stream<Path> left = Files.list(dir.resolve("new/archive"))) {
            assertThat(left).isEmpty();
        }
    }
}
