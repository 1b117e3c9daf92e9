package dev.fanout.cli.replay;

import dev.fanout.events.Envelope;
import java.io.IOException;
import java.io.OutputStream;

/**
 * One archived envelope with the exact bytes of its NDJSON line (without the newline), so targets
 * that write NDJSON (stdout, the replay endpoint) pass the archive through byte for byte. For those
 * targets, when no filter looks at texts or fields, {@code envelope} is only its header
 * ({@code EnvelopeCodec#readHeader}: id, times, severity; no raw, host or fields).
 */
public record Line(Envelope envelope, byte[] buf, int off, int len) {

    public void writeTo(OutputStream out) throws IOException {
        out.write(buf, off, len);
        out.write('\n');
    }
}
