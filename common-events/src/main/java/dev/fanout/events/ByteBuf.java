package dev.fanout.events;

import java.io.OutputStream;
import java.util.Arrays;

/** Growable byte buffer that can hand out its array and move a tail to the front (no copies on the common path). */
final class ByteBuf extends OutputStream {
    byte[] buf;
    int size;

    ByteBuf(int initial) {
        buf = new byte[Math.max(16, initial)];
    }

    private void ensure(int extra) {
        int need = size + extra;
        if (need < 0) {
            throw new OutOfMemoryError("buffer over 2 GiB");
        }
        if (need > buf.length) {
            int cap = Math.max(need, buf.length < (1 << 29) ? buf.length << 1 : Integer.MAX_VALUE - 16);
            buf = Arrays.copyOf(buf, cap);
        }
    }

    @Override
    public void write(int b) {
        ensure(1);
        buf[size++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, buf, size, len);
        size += len;
    }

    /** Keeps only bytes {@code [from, size)}, moved to the front. */
    void dropBefore(int from) {
        System.arraycopy(buf, from, buf, 0, size - from);
        size -= from;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }
}
