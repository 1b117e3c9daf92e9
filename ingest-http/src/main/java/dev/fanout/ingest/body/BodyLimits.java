package dev.fanout.ingest.body;

/**
 * Bounds applied while reading a request body.
 *
 * <p>There is no compression-ratio guard: deflate cannot exceed ~1032:1, real repetitive logs reach
 * 255:1 and more, and the absolute {@code maxDecompressedBytes} already stops a bomb after that
 * many bytes (a 1 GiB bomb costs one limit's worth of inflating).
 *
 * @param maxCompressedBytes   bytes accepted from the wire
 * @param maxDecompressedBytes bytes accepted after inflating (and for identity bodies)
 */
public record BodyLimits(long maxCompressedBytes, int maxDecompressedBytes) {

    public BodyLimits {
        if (maxCompressedBytes <= 0 || maxDecompressedBytes <= 0) {
            throw new IllegalArgumentException("body limits must be positive");
        }
    }
}
