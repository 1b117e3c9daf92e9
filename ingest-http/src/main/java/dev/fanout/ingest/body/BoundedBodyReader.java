package dev.fanout.ingest.body;

import dev.fanout.ingest.IngestRejection;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads a request body with every bound enforced while streaming: the wire size and the inflated
 * size are checked after each small chunk, so a zip bomb is stopped about one chunk past the bound.
 *
 * <p>Memory: the buffer starts at the capacity the caller's memory grant already covers and grows
 * by half with what actually arrives, asking {@link Growth} for each new capacity first; nothing is
 * sized from {@code Content-Length} or the gzip trailer. So a sender that lies about its size costs
 * at most what its grant allowed.
 *
 * <p>gzip is recognised by the magic bytes {@code 1f 8b}, whether or not {@code Content-Encoding}
 * says so (Cribl may compress without saying so); a JSON body can never start with {@code 0x1f}.
 */
public final class BoundedBodyReader {

    private static final int CHUNK = 64 * 1024;
    private static final int MIN_CAPACITY = 4 * 1024;

    /** Asked before the buffer grows to {@code capacity} bytes; throws to refuse. */
    @FunctionalInterface
    public interface Growth {
        void reserve(int capacity);
    }

    private final BodyLimits limits;

    public BoundedBodyReader(BodyLimits limits) {
        this.limits = limits;
    }

    public BodyLimits limits() {
        return limits;
    }

    /**
     * @param in              the raw request stream (not closed here)
     * @param contentLength   declared length, or -1; only compared with the limit
     * @param initialCapacity buffer bytes the caller has already reserved
     * @param growth          reserves every larger capacity before it is allocated
     */
    public Body read(InputStream in, long contentLength, int initialCapacity, Growth growth) throws IOException {
        if (contentLength > limits.maxCompressedBytes()) {
            throw tooLarge("body_too_large", "request body of " + contentLength + " bytes exceeds the limit of "
                    + limits.maxCompressedBytes() + " bytes");
        }
        CountingInputStream wire = new CountingInputStream(in, limits.maxCompressedBytes());
        PushbackInputStream peek = new PushbackInputStream(wire, 2);
        byte[] magic = new byte[2];
        int got = readFully(peek, magic);
        if (got > 0) {
            peek.unread(magic, 0, got);
        }
        // The magic bytes decide, not the header: a body declared gzip but sent plain (a proxy inflated
        // it) is still decodable, and rejecting it with a 4xx would make Cribl drop it.
        boolean gzip = got == 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b;
        int capacity = Math.min(Math.max(MIN_CAPACITY, initialCapacity), limits.maxDecompressedBytes());
        if (!gzip) {
            Buffer out = drain(peek, capacity, growth, false);
            return new Body(out.bytes, out.length, wire.count());
        }
        try {
            Buffer out = drain(new GZIPInputStream(peek, 8192), capacity, growth, true);
            return new Body(out.bytes, out.length, wire.count());
        } catch (ZipException | EOFException e) {
            throw new IngestRejection(400, "invalid_gzip", "body is not valid gzip: " + e.getMessage());
        }
    }

    private Buffer drain(InputStream src, int initialCapacity, Growth growth, boolean inflating) throws IOException {
        int max = limits.maxDecompressedBytes();
        Buffer out = new Buffer(initialCapacity);
        while (true) {
            if (out.length == out.bytes.length) {
                // Full: probe for end of stream before growing, so an exactly-sized buffer is never copied.
                int b = src.read();
                if (b < 0) {
                    return out;
                }
                if (out.length >= max) {
                    throw overLimit(inflating, max);
                }
                int next = (int) Math.min(Math.max((long) out.bytes.length * 3 / 2, (long) out.bytes.length + CHUNK), max);
                growth.reserve(next);
                out.bytes = Arrays.copyOf(out.bytes, next);
                out.bytes[out.length++] = (byte) b;
            } else {
                int n = src.read(out.bytes, out.length, Math.min(CHUNK, out.bytes.length - out.length));
                if (n < 0) {
                    return out;
                }
                out.length += n;
            }
        }
    }

    private static IngestRejection overLimit(boolean inflating, int max) {
        return tooLarge(inflating ? "decompressed_too_large" : "body_too_large",
                (inflating ? "decompressed body" : "request body") + " exceeds the limit of " + max + " bytes");
    }

    private static IngestRejection tooLarge(String code, String message) {
        return new IngestRejection(413, code, message);
    }

    private static int readFully(InputStream in, byte[] b) throws IOException {
        int off = 0;
        while (off < b.length) {
            int n = in.read(b, off, b.length - off);
            if (n < 0) {
                break;
            }
            off += n;
        }
        return off;
    }

    private static final class Buffer {
        byte[] bytes;
        int length;

        Buffer(int capacity) {
            bytes = new byte[capacity];
        }
    }

    /** Counts wire bytes and refuses to read past the compressed limit. */
    static final class CountingInputStream extends InputStream {
        private final InputStream in;
        private final long max;
        private long count;

        CountingInputStream(InputStream in, long max) {
            this.in = in;
            this.max = max;
        }

        long count() {
            return count;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                add(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                add(n);
            }
            return n;
        }

        private void add(int n) {
            count += n;
            if (count > max) {
                throw tooLarge("body_too_large", "request body exceeds the limit of " + max + " bytes");
            }
        }

        @Override
        public int available() throws IOException {
            return in.available();
        }
    }
}
