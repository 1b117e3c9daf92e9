package dev.fanout.journal;

import dev.fanout.events.BusMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Test helpers: messages that carry their own id, small-journal options, a collecting handler. */
final class Journals {

    private Journals() {}

    static BusMessage message(String id) {
        return message(id, 0);
    }

    /** A message whose data starts with {@code id} and is padded to at least {@code size} bytes. */
    static BusMessage message(String id, int size) {
        byte[] idBytes = (id + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] data = new byte[Math.max(size, idBytes.length)];
        System.arraycopy(idBytes, 0, data, 0, idBytes.length);
        for (int i = idBytes.length; i < data.length; i++) {
            data[i] = (byte) ('a' + i % 26);
        }
        return new BusMessage(data, Map.of("fanout_id", id, "content-type", "text/plain"), 1, List.of(id));
    }

    static String id(byte[] data) {
        String s = new String(data, 0, Math.min(data.length, 200), StandardCharsets.UTF_8);
        return s.substring(0, s.indexOf('\n'));
    }

    static JournalOptions small(Path dir) {
        return JournalOptions.defaults(dir)
                .withDisk(64L << 20, 4096)
                .withDelivery(Duration.ofMinutes(5), Duration.ofMillis(1), Duration.ofMillis(20), 1)
                .withCheckpointInterval(Duration.ofHours(1));
    }

    /** A handler that queues every delivery for the test to settle. */
    static class Collector implements DurableLocalBus.Handler {
        final BlockingQueue<JournalDelivery> deliveries = new LinkedBlockingQueue<>();

        @Override
        public void deliver(JournalDelivery d) {
            deliveries.add(d);
        }

        JournalDelivery take() throws InterruptedException {
            JournalDelivery d = deliveries.poll(10, TimeUnit.SECONDS);
            if (d == null) {
                throw new AssertionError("no delivery within 10 s");
            }
            return d;
        }

        /** Waits a little and returns what arrived (for asserting that nothing more comes). */
        JournalDelivery poll(Duration wait) throws InterruptedException {
            return deliveries.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    static List<Path> segments(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve("segments"))) {
            return s.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
        }
    }
}
