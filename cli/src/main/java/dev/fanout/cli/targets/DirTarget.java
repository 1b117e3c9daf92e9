package dev.fanout.cli.targets;

import dev.fanout.archive.ArchiveSink;
import dev.fanout.cli.replay.Line;
import dev.fanout.events.Envelope;
import dev.fanout.store.ArchiveCodec;
import dev.fanout.store.ArchiveLayout;
import dev.fanout.store.FilesystemObjectStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A local archive written by the archive writer itself ({@link ArchiveSink}: same layout, codec and
 * object metadata), so the result is readable by everything that reads the archive, this CLI
 * included. Object keys are derived from the event ids, so replaying the same object again
 * creates nothing new.
 */
public final class DirTarget implements ReplayTarget {

    private final Path dir;
    private final ArchiveSink sink;

    public DirTarget(Path dir, String prefix, int gzipLevel) {
        this.dir = dir.toAbsolutePath();
        this.sink = new ArchiveSink(new FilesystemObjectStore(this.dir),
                new ArchiveLayout(prefix),
                new ArchiveCodec(gzipLevel));
    }

    @Override
    public SendOutcome send(String sourceKey, List<Line> events) throws Exception {
        List<Envelope> envelopes = new ArrayList<>(events.size());
        for (Line l : events) {
            envelopes.add(l.envelope());
        }
        try {
            sink.write(envelopes);
        } catch (java.io.IOException e) {
            throw new TargetFatalException("writing to " + dir + ": " + e.getMessage(), e);
        }
        return SendOutcome.allSent(events.size());
    }

    @Override
    public String describe() {
        return "dir " + dir;
    }

    @Override
    public void checkReady() throws Exception {
        sink.checkReady();
    }
}
