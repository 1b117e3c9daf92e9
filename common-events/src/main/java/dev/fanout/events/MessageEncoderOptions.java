package dev.fanout.events;

import java.util.Objects;

/**
 * @param mode                       one message per event, or many per message
 * @param maxPackedUncompressedBytes packed: NDJSON bytes per message before gzip (a single larger
 *                                   event still travels alone); 1 KiB … 64 MiB
 * @param maxPackedEvents            packed: envelopes per message; 1 … 100,000
 * @param gzipLevel                  packed: deflate level 1 … 9; 0 = no gzip (plain NDJSON, encoding {@code ndjson})
 */
public record MessageEncoderOptions(PackingMode mode, int maxPackedUncompressedBytes, int maxPackedEvents, int gzipLevel) {

    /** Default packed bound: ~4 MiB, Cribl's default body size, so one request usually becomes one message. */
    public static final int DEFAULT_MAX_PACKED_UNCOMPRESSED_BYTES = 4 * 1024 * 1024;
    /** Default events per packed message. */
    public static final int DEFAULT_MAX_PACKED_EVENTS = 5_000;
    /**
     * Default gzip level. Measured on ~520-byte Cribl events (docs/benchmarks.md): levels 1–3 are
     * zlib's fast deflate (~270 MB/CPU-s), and 2 gives 3% smaller output than 1 for ~3% more
     * deflate CPU; levels 4+ switch to lazy matching, 1.6–2.2× slower for 10–20% smaller output,
     * which would eat the bridge's throughput headroom.
     */
    public static final int DEFAULT_GZIP_LEVEL = 2;
    /** Upper bound for {@link #maxPackedUncompressedBytes}, so consumers' decompression bound can stay fixed. */
    public static final int MAX_PACKED_UNCOMPRESSED_BYTES = 64 * 1024 * 1024;

    public MessageEncoderOptions {
        Objects.requireNonNull(mode, "mode");
        if (maxPackedUncompressedBytes < 1024 || maxPackedUncompressedBytes > MAX_PACKED_UNCOMPRESSED_BYTES) {
            throw new IllegalArgumentException("maxPackedUncompressedBytes must be in [1024, "
                    + MAX_PACKED_UNCOMPRESSED_BYTES + "]: " + maxPackedUncompressedBytes);
        }
        if (maxPackedEvents < 1 || maxPackedEvents > 100_000) {
            throw new IllegalArgumentException("maxPackedEvents must be in [1, 100000]: " + maxPackedEvents);
        }
        if (gzipLevel < 0 || gzipLevel > 9) {
            throw new IllegalArgumentException("gzipLevel must be in [0, 9]: " + gzipLevel);
        }
    }

    public static MessageEncoderOptions defaults() {
        return new MessageEncoderOptions(PackingMode.PACKED, DEFAULT_MAX_PACKED_UNCOMPRESSED_BYTES,
                DEFAULT_MAX_PACKED_EVENTS, DEFAULT_GZIP_LEVEL);
    }

    public MessageEncoderOptions withMode(PackingMode m) {
        return new MessageEncoderOptions(m, maxPackedUncompressedBytes, maxPackedEvents, gzipLevel);
    }

    public MessageEncoderOptions withGzipLevel(int level) {
        return new MessageEncoderOptions(mode, maxPackedUncompressedBytes, maxPackedEvents, level);
    }
}
