package dev.fanout.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * A subscription's acknowledged position on disk: {@code next} (every record below it that is not a
 * hole is acked) and the holes (records below {@code next} handed out and not acked, with the attempts
 * they had). Written whole to a temporary file, forced and renamed over the old one, so a crash leaves
 * either the old or the new position, never a mix.
 *
 * <pre>u32 "FOC1" | u32 version | i64 next | i32 holeCount | (i64 seq, i32 attempts)* | u32 crc32c(all before)</pre>
 */
final class CursorFile {

    private static final int MAGIC = 0x464F4331; // "FOC1"
    private static final int VERSION = 1;
    static final String SUFFIX = ".cursor";

    /** A persisted position. {@code holes[i]} was handed out {@code attempts[i]} times. */
    record Position(long next, long[] holes, int[] attempts) {
        long lowWaterMark() {
            long lwm = next;
            for (long h : holes) {
                lwm = Math.min(lwm, h);
            }
            return lwm;
        }
    }

    private CursorFile() {}

    static Path path(Path dir, String subscription) {
        return dir.resolve(subscription + SUFFIX);
    }

    static void write(Path dir, String subscription, Position p, boolean durable) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(20 + 12 * p.holes().length + 4);
        b.putInt(MAGIC).putInt(VERSION).putLong(p.next()).putInt(p.holes().length);
        for (int i = 0; i < p.holes().length; i++) {
            b.putLong(p.holes()[i]).putInt(p.attempts()[i]);
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue()).flip();
        Path tmp = dir.resolve(subscription + SUFFIX + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (b.hasRemaining()) {
                ch.write(b);
            }
            if (durable) {
                ch.force(true);
            }
        }
        Files.move(tmp, path(dir, subscription), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        if (durable) {
            SegmentLog.forceDirectory(dir);
        }
    }

    /** The position in {@code file}, or null if the file is damaged. */
    static Position read(Path file) throws IOException {
        byte[] a = Files.readAllBytes(file);
        if (a.length < 24) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(a);
        if (b.getInt() != MAGIC || b.getInt() != VERSION) {
            return null;
        }
        long next = b.getLong();
        int n = b.getInt();
        if (n < 0 || a.length != 20 + 12L * n + 4) {
            return null;
        }
        CRC32C crc = new CRC32C();
        crc.update(a, 0, a.length - 4);
        if (ByteBuffer.wrap(a, a.length - 4, 4).getInt() != (int) crc.getValue()) {
            return null;
        }
        long[] holes = new long[n];
        int[] attempts = new int[n];
        for (int i = 0; i < n; i++) {
            holes[i] = b.getLong();
            attempts[i] = b.getInt();
        }
        return new Position(next, holes, attempts);
    }
}
