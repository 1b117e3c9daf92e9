package dev.fanout.cli.targets;

import dev.fanout.cli.replay.Line;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * NDJSON envelopes, one per line, exactly as archived (the archive's own line bytes). Each object's
 * events are written and flushed together, so lines of different objects never interleave and an
 * object is checkpointed only once it left the process.
 */
public final class StdoutTarget implements ReplayTarget {

    private final OutputStream out;

    /** {@code raw} must not swallow errors the way {@code System.out} does: use a FileOutputStream on fd 1. */
    public StdoutTarget(OutputStream raw) {
        this.out = new BufferedOutputStream(raw, 1 << 20);
    }

    @Override
    public SendOutcome send(String sourceKey, List<Line> events) throws TargetFatalException {
        synchronized (out) {
            try {
                for (Line l : events) {
                    l.writeTo(out);
                }
                out.flush();
            } catch (IOException e) {
                // A closed pipe (| head) or a full disk: nothing more can be written.
                throw new TargetFatalException("stdout: " + e.getMessage(), e);
            }
        }
        return SendOutcome.allSent(events.size());
    }

    /** Sends the lines' bytes; reports name events by id. */
    @Override
    public boolean linesOnly() {
        return true;
    }

    @Override
    public String describe() {
        return "stdout";
    }

    @Override
    public void close() throws IOException {
        synchronized (out) {
            out.flush();
        }
    }
}
