package dev.fanout.journal;

import dev.fanout.events.BusMessage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The journal's record framing:
 * <pre>
 * u32 bodyLength | u32 crc32c(body) | body
 * body = i64 seq | i64 publishTimeMicros | u16 attributeCount | (u16 keyLength key u16 valueLength value)* | data
 * </pre>
 * A record is whole only if its length fits the file and its CRC32C matches; that is how a torn tail
 * (a record cut by a crash) is told from a good one.
 */
final class RecordCodec {

    static final int HEADER = 8;
    /** seq + publish time + attribute count. */
    static final int MIN_BODY = 18;
    /** Bound of one record's body; a length field above it is garbage, not a record. */
    static final int MAX_BODY = Integer.MAX_VALUE - 64;

    private RecordCodec() {}

    /** A complete record whose seq, publish time and checksum are filled in later by {@link #seal}. */
    static ByteBuffer encode(BusMessage m) {
        Map<String, String> attrs = m.attributes();
        byte[][] kv = new byte[attrs.size() * 2][];
        int n = 0;
        long size = HEADER + MIN_BODY + (long) m.data().length;
        for (var e : attrs.entrySet()) {
            kv[n] = e.getKey().getBytes(StandardCharsets.UTF_8);
            kv[n + 1] = e.getValue().getBytes(StandardCharsets.UTF_8);
            if (kv[n].length > 0xFFFF || kv[n + 1].length > 0xFFFF) {
                throw new IllegalArgumentException("attribute longer than 65535 bytes: " + e.getKey());
            }
            size += 4 + kv[n].length + kv[n + 1].length;
            n += 2;
        }
        if (attrs.size() > 0xFFFF || size - HEADER > MAX_BODY) {
            throw new IllegalArgumentException("message too large for the journal: " + size + " bytes");
        }
        ByteBuffer b = ByteBuffer.allocate((int) size);
        b.putInt((int) (size - HEADER)).putInt(0).putLong(0).putLong(0).putShort((short) attrs.size());
        for (int i = 0; i < n; i += 2) {
            b.putShort((short) kv[i].length).put(kv[i]).putShort((short) kv[i + 1].length).put(kv[i + 1]);
        }
        b.put(m.data());
        return b.flip();
    }

    /** Fills in seq and publish time and computes the checksum; the buffer is then ready to write. */
    static void seal(ByteBuffer record, long seq, long publishMicros) {
        record.putLong(HEADER, seq).putLong(HEADER + 8, publishMicros);
        CRC32C crc = new CRC32C();
        crc.update(record.slice(HEADER, record.limit() - HEADER));
        record.putInt(4, (int) crc.getValue());
    }

    static boolean checksumMatches(int expected, byte[] body, int off, int len) {
        CRC32C crc = new CRC32C();
        crc.update(body, off, len);
        return (int) crc.getValue() == expected;
    }

    /** A decoded record body; {@code data} is null when the reader did not want the message. */
    record Decoded(long seq, long publishMicros, Map<String, String> attributes, byte[] data) {
        boolean unwanted() {
            return data == null;
        }
    }

    /**
     * Decodes a body whose checksum was verified; throws IllegalArgumentException if its structure
     * is broken. The payload is not copied out when {@code wanted} refuses the attributes.
     */
    static Decoded decode(byte[] body, int off, int len, java.util.function.Predicate<Map<String, String>> wanted) {
        ByteBuffer b = ByteBuffer.wrap(body, off, len);
        try {
            long seq = b.getLong();
            long micros = b.getLong();
            int count = Short.toUnsignedInt(b.getShort());
            Map<String, String> attrs = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String k = string(b);
                attrs.put(k, string(b));
            }
            if (!wanted.test(attrs)) {
                return new Decoded(seq, micros, attrs, null);
            }
            byte[] data = new byte[b.remaining()];
            b.get(data);
            return new Decoded(seq, micros, attrs, data);
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("record body is shorter than its attributes say", e);
        }
    }

    private static String string(ByteBuffer b) {
        int len = Short.toUnsignedInt(b.getShort());
        String s = new String(body(b, len), StandardCharsets.UTF_8);
        return s;
    }

    private static byte[] body(ByteBuffer b, int len) {
        byte[] a = new byte[len];
        b.get(a);
        return a;
    }
}
