package dev.fanout.ingest.body;

/**
 * A request body read into memory.
 *
 * @param bytes           buffer holding the (decompressed) body in {@code [0, length)}
 * @param length          decompressed length
 * @param wireBytes       bytes read from the connection (compressed size)
 * @param gzip            whether the body was gzip (by header or by magic bytes)
 */
public record Body(byte[] bytes, int length, long wireBytes, boolean gzip) {}
