package dev.fanout.cli.replay;

import dev.fanout.events.Bytes;
import dev.fanout.events.Envelope;
import dev.fanout.events.EnvelopeCodec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Reads an archive object (gzip of NDJSON envelopes) keeping whatever can be kept: a bad line is
 * counted and skipped, a truncated or damaged gzip stream yields the complete lines before the
 * damage. Nothing here throws for bad content; {@link Decoded#problem()} says what was wrong.
 */
public final class ObjectDecoder {
    private ObjectDecoder() {}

    /**
     * Bound on one object's decompressed size. The archive writer's objects are at most a batch
     * (64 MiB of NDJSON in the services); anything far larger is not ours or is a gzip bomb.
     */
    public static final long MAX_DECOMPRESSED_BYTES = 1L << 30;

    /** How many bad line numbers are kept for the report. */
    static final int MAX_REPORTED_LINES = 10;

    /**
     * @param lines      the envelopes that decoded, in file order
     * @param badLines   lines that are not a valid envelope (or cut off by damage)
     * @param firstBad   1-based numbers of the first bad lines
     * @param problem    what was wrong (gzip damage, first bad line's error), or null if nothing
     * @param inflated   decompressed bytes
     */
    public record Decoded(List<Line> lines, int badLines, List<Integer> firstBad, String problem, long inflated) {
        public boolean corrupt() {
            return problem != null;
        }
    }

    public static Decoded decode(byte[] gz) {
        return decode(gz, false);
    }

    /**
     * @param headersOnly read each line with {@link EnvelopeCodec#readHeader}: the same lines pass as
     *                    in a full read, their envelopes carry no texts or fields
     */
    public static Decoded decode(byte[] gz, boolean headersOnly) {
        List<Line> lines = new ArrayList<>();
        Summary s = read(gz, headersOnly, false, lines::add);
        return new Decoded(lines, s.badLines(), s.firstBad(), s.problem(), s.inflated());
    }

    /** Receives the envelope lines of an object in file order, while it is read. */
    @FunctionalInterface
    public interface LineSink {
        void accept(Line line);
    }

    /**
     * What {@link #stream} read besides the lines it handed out.
     *
     * @param lines    envelopes handed to the sink
     * @param badLines lines that are not a valid envelope (or cut off by damage)
     * @param firstBad 1-based numbers of the first bad lines
     * @param problem  what was wrong (gzip damage, first bad line's error), or null if nothing
     * @param inflated decompressed bytes
     */
    public record Summary(int lines, int badLines, List<Integer> firstBad, String problem, long inflated) {
        public boolean corrupt() {
            return problem != null;
        }
    }

    /**
     * As {@link #decode(byte[], boolean)}, handing each line to {@code sink} as it is read instead of
     * collecting them, so a caller can send an object in parts and each part's envelopes die young.
     * The object is inflated into a buffer this thread keeps for its next object (up to
     * {@link #MAX_REUSED_BYTES}): a line's bytes are valid only until this thread's next
     * {@code stream} call.
     */
    public static Summary stream(byte[] gz, boolean headersOnly, LineSink sink) {
        return read(gz, headersOnly, true, sink);
    }

    /**
     * Largest inflate buffer a thread keeps between objects. A fresh buffer per object was most of
     * a replay's allocated bytes, and a live one is copied by every young collection it meets.
     */
    static final int MAX_REUSED_BYTES = 64 * 1024 * 1024;

    private static final ThreadLocal<byte[]> REUSED = new ThreadLocal<>();

    private static Summary read(byte[] gz, boolean headersOnly, boolean reuse, LineSink sink) {
        Inflated in = inflate(gz, reuse);
        byte[] data = in.data;
        int size = in.size;
        List<Integer> bad = new ArrayList<>();
        int badCount = 0;
        int good = 0;
        String problem = in.error == null ? null : "damaged gzip after " + size + " bytes: " + in.error;
        int lineNo = 0;
        int start = 0;
        while (start < size) {
            int nl = indexOf(data, start, size);
            lineNo++;
            if (nl < 0) {
                // A last line without its newline: complete only if the stream ended cleanly.
                if (in.error != null) {
                    badCount++;
                    if (bad.size() < MAX_REPORTED_LINES) {
                        bad.add(lineNo);
                    }
                    break;
                }
                nl = size;
            }
            int end = nl;
            if (end > start && data[end - 1] == '\r') {
                end--;
            }
            if (!blank(data, start, end)) {
                Envelope e = null;
                try {
                    e = headersOnly ? EnvelopeCodec.readHeader(data, start, end - start)
                            : EnvelopeCodec.readOne(data, start, end - start);
                } catch (IOException | RuntimeException ex) {
                    badCount++;
                    if (bad.size() < MAX_REPORTED_LINES) {
                        bad.add(lineNo);
                    }
                    if (problem == null) {
                        problem = "line " + lineNo + " is not an envelope: " + oneLine(ex.getMessage());
                    }
                }
                if (e != null) {
                    good++;
                    sink.accept(new Line(e, data, start, end - start));
                }
            }
            start = nl + 1;
        }
        if (problem == null && badCount > 0) {
            problem = badCount + " bad lines";
        }
        return new Summary(good, badCount, List.copyOf(bad), problem, size);
    }

    private record Inflated(byte[] data, int size, String error) {}

    /** Largest buffer allocated up front from a gzip trailer's size; beyond it the buffer grows as it fills. */
    static final int MAX_PRESIZED_BYTES = 256 * 1024 * 1024;

    /**
     * First buffer size: the gzip trailer's ISIZE (uncompressed size mod 2^32 of the last member;
     * one member for the archive writer's objects) plus one byte so the end is seen without
     * growing, when it is plausible; growing a guessed buffer copied every object two or three
     * times. A damaged trailer only costs a wrong first size.
     */
    static int initialSize(byte[] gz) {
        int guess = Math.max(64 * 1024, Math.min(gz.length * 8, 64 * 1024 * 1024));
        if (gz.length < 18) {
            return guess;
        }
        int n = gz.length;
        long isize = (gz[n - 4] & 0xFFL) | (gz[n - 3] & 0xFFL) << 8 | (gz[n - 2] & 0xFFL) << 16 | (gz[n - 1] & 0xFFL) << 24;
        // Deflate cannot expand more than ~1032:1.
        if (isize == 0 || isize > (long) gz.length * 1032 || isize >= MAX_PRESIZED_BYTES) {
            return guess;
        }
        return (int) isize + 1;
    }

    private static Inflated inflate(byte[] gz, boolean reuse) {
        int first = initialSize(gz);
        byte[] kept = reuse ? REUSED.get() : null;
        byte[] buf = kept != null && kept.length >= first ? kept : new byte[first];
        Inflated result = inflateInto(gz, buf);
        if (reuse && result.data != kept && result.data.length <= MAX_REUSED_BYTES
                && (kept == null || result.data.length > kept.length)) {
            REUSED.set(result.data);
        }
        return result;
    }

    private static Inflated inflateInto(byte[] gz, byte[] buf) {
        int size = 0;
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz), 64 * 1024)) {
            while (true) {
                if (size == buf.length) {
                    if (buf.length >= MAX_DECOMPRESSED_BYTES) {
                        return new Inflated(buf, size, "larger than " + MAX_DECOMPRESSED_BYTES + " bytes decompressed");
                    }
                    buf = java.util.Arrays.copyOf(buf, (int) Math.min(MAX_DECOMPRESSED_BYTES, buf.length * 2L));
                }
                int n = in.read(buf, size, buf.length - size);
                if (n < 0) {
                    return new Inflated(buf, size, null);
                }
                size += n;
            }
        } catch (IOException e) {
            return new Inflated(buf, size, oneLine(e.toString()));
        }
    }

    private static int indexOf(byte[] b, int from, int to) {
        return Bytes.indexOfNewline(b, from, to);
    }

    private static boolean blank(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != ' ' && b[i] != '\t') {
                return false;
            }
        }
        return true;
    }

    static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        String t = s.replaceAll("\\s+", " ").strip();
        return t.length() > 200 ? t.substring(0, 200) + "…" : t;
    }
}
