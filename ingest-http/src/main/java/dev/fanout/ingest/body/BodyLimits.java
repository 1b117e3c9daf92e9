package dev.fanout.ingest.body;

/**
 * Bounds applied while reading a request body.
 *
 * @param maxCompressedBytes   bytes accepted from the wire
 * @param maxDecompressedBytes bytes accepted after inflating (and for identity bodies)
 * @param maxRatio             decompressed / compressed bytes above which inflating stops
 * @param ratioFloorBytes      the ratio is only judged after this many inflated bytes, so small,
 *                             very repetitive bodies are not mistaken for bombs
 */
public record BodyLimits(long maxCompressedBytes, int maxDecompressedBytes, int maxRatio, int ratioFloorBytes) {

    /** Inflated bytes below which the ratio guard stays quiet. */
    public static final int DEFAULT_RATIO_FLOOR_BYTES = 1 << 20;

    public BodyLimits {
        if (maxCompressedBytes <= 0 || maxDecompressedBytes <= 0 || maxRatio <= 0 || ratioFloorBytes < 0) {
            throw new IllegalArgumentException("body limits must be positive");
        }
    }
}
