package dev.fanout.events;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.security.MessageDigest;
import java.util.function.IntFunction;
import java.util.zip.GZIPInputStream;

/**
 * Reverse of {@link MessageEncoder}: bus message → envelopes. Decides by the {@code encoding}
 * attribute, falling back to sniffing (gzip magic {@code 1f 8b} → packed, else JSON/NDJSON).
 * Thread-safe.
 */
public final class MessageDecoder {

    /**
     * Default bound on the decompressed size of a packed message: twice the largest packed bound an
     * encoder accepts, so no legitimate message is refused and a gzip bomb cannot exhaust memory.
     */
    public static final long DEFAULT_MAX_DECOMPRESSED_BYTES = 2L * MessageEncoderOptions.MAX_PACKED_UNCOMPRESSED_BYTES;

    private MessageDecoder() {}

    /** Decodes a received bus message (data and attributes). */
    public static List<Envelope> decode(ReceivedMessage message) {
        return decode(message.data(), message.attributes(), DEFAULT_MAX_DECOMPRESSED_BYTES);
    }

    /** As {@link #decode(byte[], Map, long)} with {@link #DEFAULT_MAX_DECOMPRESSED_BYTES}. */
    public static List<Envelope> decode(byte[] data, Map<String, String> attributes) {
        return decode(data, attributes, DEFAULT_MAX_DECOMPRESSED_BYTES);
    }

    /**
     * @throws MessageDecodeException (unchecked) when the message can never be decoded: unknown
     *         encoding or schema, corrupt or oversized gzip, invalid envelope JSON, or a
     *         {@code count} attribute that disagrees with the payload
     */
    public static List<Envelope> decode(byte[] data, Map<String, String> attributes, long maxDecompressedBytes) {
        return decodeMeasured(data, attributes, maxDecompressedBytes).events();
    }

    /**
     * The envelopes of a message and the size of their JSON text (the inflated size of a packed
     * message, else the data's size): what the consumer runtime counts its queue in.
     *
     * @param events    the envelopes, in message order
     * @param jsonBytes bytes of envelope JSON the message carried
     */
    public record Decoded(List<Envelope> events, long jsonBytes) {}

    /** As {@link #decode(byte[], Map)}, with the decoded size. */
    public static Decoded decodeMeasured(byte[] data, Map<String, String> attributes) {
        return decodeMeasured(data, attributes, DEFAULT_MAX_DECOMPRESSED_BYTES);
    }

    /** As {@link #decode(byte[], Map, long)}, with the decoded size. */
    public static Decoded decodeMeasured(byte[] data, Map<String, String> attributes, long maxDecompressedBytes) {
        if (data == null) {
            throw new MessageDecodeException("message has no data");
        }
        Map<String, String> attrs = attributes == null ? Map.of() : attributes;
        String schema = attrs.get(Attributes.SCHEMA);
        if (schema != null && !Attributes.SCHEMA_V1.equals(schema)) {
            throw new MessageDecodeException("unsupported schema version '" + Utf8.truncate(schema, 32) + "'");
        }
        String encoding = attrs.get(Attributes.ENCODING);
        IntFunction<String> missingId = derivedIds(attrs);
        boolean gzip = data.length >= 2 && data[0] == (byte) 0x1f && data[1] == (byte) 0x8b;
        List<Envelope> events;
        long jsonBytes = data.length;
        try {
            if (encoding == null) {
                if (data.length == 0) {
                    throw new MessageDecodeException("message data is empty and has no encoding attribute");
                }
                if (gzip) {
                    ByteBuf inflated = gunzip(data, maxDecompressedBytes);
                    jsonBytes = inflated.size;
                    events = ndjson(inflated, missingId);
                } else {
                    events = ndjson(data, missingId);
                }
            } else {
                switch (encoding) {
                    case Attributes.ENCODING_JSON:
                        events = List.of(EnvelopeCodec.fromJson(data));
                        break;
                    case Attributes.ENCODING_NDJSON_GZIP:
                        if (!gzip) {
                            throw new MessageDecodeException("encoding is ndjson+gzip but data is not gzip");
                        }
                        ByteBuf inflated = gunzip(data, maxDecompressedBytes);
                        jsonBytes = inflated.size;
                        events = ndjson(inflated, missingId);
                        break;
                    case Attributes.ENCODING_NDJSON:
                        events = ndjson(data, missingId);
                        break;
                    default:
                        throw new MessageDecodeException("unknown encoding '" + Utf8.truncate(encoding, 64) + "'");
                }
            }
        } catch (IOException e) {
            throw new MessageDecodeException("undecodable " + (encoding == null ? "message" : encoding + " message")
                    + ": " + firstLine(e.getMessage()), e);
        }
        String count = attrs.get(Attributes.COUNT);
        if (count != null && !count.equals(Integer.toString(events.size()))) {
            throw new MessageDecodeException("count attribute says " + Utf8.truncate(count, 16) + " but data holds "
                    + events.size() + " envelopes");
        }
        return new Decoded(events, jsonBytes);
    }

    private static List<Envelope> ndjson(byte[] b, IntFunction<String> missingId) throws IOException {
        return EnvelopeCodec.readNdjson(b, 0, b.length, missingId);
    }

    private static List<Envelope> ndjson(ByteBuf b, IntFunction<String> missingId) throws IOException {
        return EnvelopeCodec.readNdjson(b.buf, 0, b.size, missingId);
    }

    /**
     * The ids of lines without one, from {@link Attributes#ID_DIGEST} and {@link Attributes#ID_FIRST};
     * null when the message has neither (every line must then carry its id, as before both existed).
     */
    private static IntFunction<String> derivedIds(Map<String, String> attrs) {
        String hex = attrs.get(Attributes.ID_DIGEST);
        String first = attrs.get(Attributes.ID_FIRST);
        if (hex == null && first == null) {
            return null;
        }
        if (hex == null || first == null) {
            throw new MessageDecodeException("attributes " + Attributes.ID_DIGEST + " and " + Attributes.ID_FIRST
                    + " come together; the message has only one of them");
        }
        byte[] digest;
        try {
            digest = EventIds.parseDigestHex(hex);
        } catch (IllegalArgumentException e) {
            throw new MessageDecodeException("attribute " + Attributes.ID_DIGEST + " is not "
                    + EventIds.DIGEST_HEX_LENGTH + " hex characters");
        }
        int base;
        try {
            base = first.length() > 10 || first.startsWith("+") ? -1 : Integer.parseInt(first);
        } catch (NumberFormatException e) {
            base = -1;
        }
        if (base < 0) {
            throw new MessageDecodeException("attribute " + Attributes.ID_FIRST + " is not an ordinal (0 … "
                    + Integer.MAX_VALUE + "): '" + Utf8.truncate(first, 16) + "'");
        }
        int firstOrdinal = base;
        MessageDigest md = EventIds.sha256();
        return k -> {
            if (k > Integer.MAX_VALUE - firstOrdinal) {
                throw new MessageDecodeException("envelope #" + (k + 1) + " has no id and its ordinal exceeds "
                        + Integer.MAX_VALUE);
            }
            return EventIds.eventId(md, digest, firstOrdinal + k);
        };
    }

    private static ByteBuf gunzip(byte[] data, long max) throws IOException {
        int cap = (int) Math.min(max + 1, Integer.MAX_VALUE - 16L);
        ByteBuf out = new ByteBuf(initialInflateBuffer(data.length, cap));
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(data), 64 * 1024)) {
            while (true) {
                if (out.size == out.buf.length) {
                    if (out.buf.length >= cap) {
                        throw new MessageDecodeException("packed message expands beyond " + max + " bytes");
                    }
                    out.buf = java.util.Arrays.copyOf(out.buf, (int) Math.min(cap, out.buf.length * 2L));
                }
                int n = in.read(out.buf, out.size, out.buf.length - out.size);
                if (n < 0) {
                    break;
                }
                out.size += n;
            }
        }
        if (out.size > max) {
            throw new MessageDecodeException("packed message expands beyond " + max + " bytes");
        }
        return out;
    }

    /** Largest first buffer of an inflate: beyond it the buffer grows (doubling) with what actually arrives. */
    static final int MAX_INITIAL_INFLATE_BUFFER = 1024 * 1024;

    /**
     * First buffer of an inflate, from the compressed size only. The gzip ISIZE trailer is written
     * by the sender and unchecked until the end of the stream, so it must not size an allocation.
     */
    static int initialInflateBuffer(int compressedBytes, int cap) {
        return (int) Math.min(Math.max(8 * 1024L, compressedBytes * 4L), Math.min(cap, MAX_INITIAL_INFLATE_BUFFER));
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }
}
