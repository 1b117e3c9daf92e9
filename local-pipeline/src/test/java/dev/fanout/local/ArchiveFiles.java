package dev.fanout.local;

import dev.fanout.store.ArchiveCodec;
import dev.fanout.events.Envelope;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** Reads a filesystem archive the way a user would: every {@code events/**}{@code .ndjson.gz} file. */
final class ArchiveFiles {

    private ArchiveFiles() {}

    /** Every event object under {@code <archive>/events}, hidden sidecars excluded. */
    static List<Path> objects(Path archiveDir) {
        Path events = archiveDir.resolve("events");
        if (!Files.isDirectory(events)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(events)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().endsWith(".ndjson.gz"))
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every envelope in the archive, duplicates included (one entry per line). */
    static List<Envelope> envelopes(Path archiveDir) {
        List<Envelope> all = new ArrayList<>();
        for (Path p : objects(archiveDir)) {
            try {
                all.addAll(ArchiveCodec.decode(Files.readAllBytes(p)));
            } catch (IOException e) {
                throw new UncheckedIOException("unreadable archive object " + p, e);
            }
        }
        return all;
    }

    /** Polls the archive until {@code done} holds for its envelopes; fails after {@code timeout}. */
    static List<Envelope> awaitEnvelopes(Path archiveDir, Duration timeout, Predicate<List<Envelope>> done)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Envelope> last = List.of();
        while (System.nanoTime() < deadline) {
            last = envelopes(archiveDir);
            if (done.test(last)) {
                return last;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("archive " + archiveDir + " did not reach the expected state within " + timeout
                + "; it holds " + last.size() + " envelopes");
    }
}
