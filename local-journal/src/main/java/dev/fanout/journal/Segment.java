package dev.fanout.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * One segment file: a 16-byte header ({@code FOJ1}, version, base seq) and then records with the
 * consecutive seqs {@code base, base+1, …}. Only the writer thread appends; readers use positional
 * reads up to {@link #committedSize}.
 */
final class Segment {

    static final int MAGIC = 0x464F4A31; // "FOJ1"
    static final int VERSION = 1;
    static final int FILE_HEADER = 16;

    final long base;
    final Path path;
    final FileChannel channel;
    /** Offset of this segment's first byte in the journal's logical byte stream (this process only). */
    final long logicalBase;
    /** Bytes of whole, committed records plus the file header; readers never read past it. */
    volatile long committedSize;
    /** Seq of the last committed record, {@code base - 1} while empty. */
    volatile long lastSeq;

    Segment(long base, Path path, FileChannel channel, long logicalBase, long committedSize, long lastSeq) {
        this.base = base;
        this.path = path;
        this.channel = channel;
        this.logicalBase = logicalBase;
        this.committedSize = committedSize;
        this.lastSeq = lastSeq;
    }

    boolean isEmpty() {
        return lastSeq < base;
    }

    static ByteBuffer header(long base) {
        return ByteBuffer.allocate(FILE_HEADER).putInt(MAGIC).putInt(VERSION).putLong(base).flip();
    }

    static String fileName(long base) {
        return String.format("%020d.seg", base);
    }

    /** Reads exactly {@code dst.remaining()} bytes at {@code pos}, or fewer if the file ends first. */
    int readFully(ByteBuffer dst, long pos) throws IOException {
        int total = 0;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, pos + total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    @Override
    public String toString() {
        return path.getFileName().toString();
    }
}
