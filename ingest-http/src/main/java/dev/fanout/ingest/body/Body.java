package dev.fanout.ingest.body;

/**
 * A request body read into memory.
 *
 * @param bytes     buffer holding the (decompressed) body in {@code [0, length)}
 * @param length    decompressed length
 * @param wireBytes bytes read from the connection (compressed size)
 */
public record Body(byte[] bytes, int length, long wireBytes) {}
