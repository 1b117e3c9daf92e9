package dev.fanout.store;

import dev.fanout.events.Envelope;
import dev.fanout.events.EnvelopeCodec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** Object body format of the archive: gzip of NDJSON, one envelope per line (see docs/archive-format.md). */
public final class ArchiveCodec {

    /** zlib's own default: within a few percent of level 9 on log text at a fraction of the CPU. */
    public static final int DEFAULT_GZIP_LEVEL = 6;

    private final int gzipLevel;

    public ArchiveCodec(int gzipLevel) {
        if (gzipLevel < Deflater.BEST_SPEED || gzipLevel > Deflater.BEST_COMPRESSION) {
            throw new IllegalArgumentException("gzip level must be 1..9, was " + gzipLevel);
        }
        this.gzipLevel = gzipLevel;
    }

    public int gzipLevel() {
        return gzipLevel;
    }

    /** gzip NDJSON of the envelopes, in the given order ({@code EnvelopeCodec.writeNdjson}). */
    public byte[] encode(List<Envelope> events) throws IOException {
        // Log text compresses ~8-10x; starting near the expected size avoids most array copies.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(Math.max(512, events.size() * 64));
        try (LevelGzipOutputStream gzip = new LevelGzipOutputStream(bytes, gzipLevel)) {
            // The contract's NDJSON writer straight into the deflater (it never closes the target): one
            // generator for the whole object, the same bytes as a writeNdjsonLine per envelope.
            EnvelopeCodec.writeNdjson(events, gzip);
        }
        return bytes.toByteArray();
    }

    /** Reads an object body written by {@link #encode} (or any gzip NDJSON of envelopes). */
    public static List<Envelope> decode(byte[] body) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body), 64 * 1024)) {
            return EnvelopeCodec.readNdjson(in);
        }
    }

    private static final class LevelGzipOutputStream extends GZIPOutputStream {
        LevelGzipOutputStream(OutputStream out, int level) throws IOException {
            super(out, 64 * 1024);
            def.setLevel(level);
        }
    }
}
