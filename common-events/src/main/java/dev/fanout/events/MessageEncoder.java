package dev.fanout.events;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.zip.GZIPOutputStream;

/**
 * Maps envelopes to bus messages in {@link PackingMode#EVENT} or {@link PackingMode#PACKED} mode,
 * within {@link PubSubLimits}. Thread-safe (no mutable state); order of events is preserved.
 */
public final class MessageEncoder {

    private final MessageEncoderOptions options;

    public MessageEncoder(MessageEncoderOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    public MessageEncoderOptions options() {
        return options;
    }

    /**
     * @param traceparent W3C trace context of the request, carried as an attribute; null or blank to omit
     * @throws MessageTooLargeException when one event does not fit in a message even gzip-compressed alone
     */
    public List<BusMessage> encode(List<Envelope> events, String traceparent) {
        return encode(events, null, traceparent, null).messages();
    }

    /**
     * As {@link #encode(List, String)}, for events decoded from one request body: a packed line
     * whose id is {@code EventIds.eventId(bodyDigest, its index in events)} is written without
     * its id, and the message carries {@link Attributes#ID_DIGEST} / {@link Attributes#ID_FIRST}
     * for the decoder to derive it. Every other event keeps its id, so any list is safe here
     * (replayed envelopes with their own ids, a mix); each id is checked, never assumed. At gzip
     * level 0 (stored) every id is written: there the bytes are not billed and the hashing would be
     * the largest cost.
     *
     * @param bodyDigest {@link EventIds#bodyDigest} of the body; null: every id is written
     */
    public List<BusMessage> encode(List<Envelope> events, byte[] bodyDigest, String traceparent) {
        return encode(events, bodyDigest, traceparent, null).messages();
    }

    /**
     * Like {@link #encode(List, String)}, but an event that does not fit in a message even
     * gzip-compressed alone is replaced by its {@link OversizeStub} (a malformed envelope with the
     * same id, its {@code raw} cut short and {@code fields.original_bytes}) instead of failing the
     * whole list.
     */
    public Encoded encodeKeepingOversize(List<Envelope> events, String traceparent) {
        return encode(events, null, traceparent, new int[1]);
    }

    /** {@link #encodeKeepingOversize(List, String)} with the ids derivation of {@link #encode(List, byte[], String)}. */
    public Encoded encodeKeepingOversize(List<Envelope> events, byte[] bodyDigest, String traceparent) {
        return encode(events, bodyDigest, traceparent, new int[1]);
    }

    /**
     * As {@link #encode(List, String)} for envelopes that arrived as NDJSON lines already: in
     * packed mode line {@code i} ({@code lines[starts[i], ends[i])}, without its newline) goes into
     * the message as it is instead of being written again from {@code events.get(i)}, which must
     * be what that line decodes to (ids and severities come from it). Only for lines that decode
     * to exactly that envelope wherever they stand in a message: the caller's job (the replay
     * endpoint parses each line alone and passes only lines that start with <code>{</code>). In
     * event mode the events are written as {@link #encode(List, String)} does.
     *
     * @throws MessageTooLargeException when one line does not fit in a message even gzip-compressed alone
     */
    public List<BusMessage> encodeLines(List<Envelope> events, byte[] lines, int[] starts, int[] ends, String traceparent) {
        if (options.mode() == PackingMode.EVENT || events.isEmpty()) {
            return encode(events, traceparent);
        }
        if (starts.length < events.size() || ends.length < events.size()) {
            throw new IllegalArgumentException("a start and an end for every event are needed");
        }
        String tp = traceparent == null || traceparent.isBlank() ? null : PubSubLimits.truncateAttributeValue(traceparent);
        long total = 0;
        for (int i = 0; i < events.size(); i++) {
            total += ends[i] - starts[i] + 1;
        }
        ByteBuf buf = borrow((int) Math.min(options.maxPackedUncompressedBytes() + 64 * 1024, Math.max(4096, total)));
        List<BusMessage> out = new ArrayList<>();
        try {
            pack(events, buf, new Lines() {
                @Override
                public void write(int i) {
                    buf.write(lines, starts[i], ends[i] - starts[i]);
                    buf.write('\n');
                }

                @Override
                public int size() {
                    return buf.size;
                }

                @Override
                public void flush() {}
            }, tp, null, null, null, out);
        } catch (IOException e) {
            // Only in-memory buffers are involved.
            throw new UncheckedIOException(e);
        }
        release(buf);
        return out;
    }

    /**
     * @param messages the bus messages, events in order
     * @param stubbed  events replaced by an oversize stub
     */
    public record Encoded(List<BusMessage> messages, int stubbed) {}

    /** @param stubs null: oversize events throw; else counts the stubs made in {@code stubs[0]} */
    private Encoded encode(List<Envelope> events, byte[] bodyDigest, String traceparent, int[] stubs) {
        if (events.isEmpty()) {
            return new Encoded(List.of(), 0);
        }
        String tp = traceparent == null || traceparent.isBlank() ? null : PubSubLimits.truncateAttributeValue(traceparent);
        try {
            List<BusMessage> out = options.mode() == PackingMode.EVENT ? perEvent(events, tp, stubs) : packed(events, bodyDigest, tp, stubs);
            return new Encoded(out, stubs == null ? 0 : stubs[0]);
        } catch (IOException e) {
            // Only in-memory streams are involved.
            throw new UncheckedIOException(e);
        }
    }

    private List<BusMessage> perEvent(List<Envelope> events, String tp, int[] stubs) throws IOException {
        List<BusMessage> out = new ArrayList<>(events.size());
        for (Envelope e : events) {
            byte[] json = EnvelopeCodec.toJson(e);
            Map<String, String> attrs = eventAttributes(e, tp);
            attrs.put(Attributes.ENCODING, Attributes.ENCODING_JSON);
            if (json.length <= PubSubLimits.maxDataBytes(attrs)) {
                out.add(new BusMessage(json, attrs, 1, List.of(e.id())));
                continue;
            }
            // Too big as plain JSON: the same event alone, gzip-compressed, keeps the per-event attributes.
            attrs.put(Attributes.ENCODING, Attributes.ENCODING_NDJSON_GZIP);
            attrs.put(Attributes.COUNT, "1");
            attrs.put(Attributes.MAX_SEVERITY, e.severity().wireName());
            ByteBuf line = new ByteBuf(json.length + 1);
            line.write(json, 0, json.length);
            line.write('\n');
            byte[] gz = gzip(line.buf, 0, line.size, options.gzipLevel() == 0 ? 1 : options.gzipLevel());
            if (gz.length > PubSubLimits.maxDataBytes(attrs)) {
                if (stubs == null) {
                    throw tooLarge(e, json.length, gz.length);
                }
                stubs[0]++;
                Envelope stub = OversizeStub.of(e, json.length, gz.length);
                Map<String, String> stubAttrs = eventAttributes(stub, tp);
                stubAttrs.put(Attributes.ENCODING, Attributes.ENCODING_JSON);
                out.add(new BusMessage(EnvelopeCodec.toJson(stub), stubAttrs, 1, List.of(e.id())));
                continue;
            }
            out.add(new BusMessage(gz, attrs, 1, List.of(e.id())));
        }
        return out;
    }

    private static Map<String, String> eventAttributes(Envelope e, String tp) {
        Map<String, String> a = new HashMap<>(16);
        a.put(Attributes.SCHEMA, Attributes.SCHEMA_V1);
        a.put(Attributes.EVENT_ID, e.id());
        a.put(Attributes.SEVERITY, e.severity().wireName());
        if (e.sourcetype() != null) {
            a.put(Attributes.SOURCETYPE, PubSubLimits.truncateAttributeValue(e.sourcetype()));
        }
        if (e.host() != null) {
            a.put(Attributes.HOST, PubSubLimits.truncateAttributeValue(e.host()));
        }
        if (tp != null) {
            a.put(Attributes.TRACEPARENT, tp);
        }
        return a;
    }

    private List<BusMessage> packed(List<Envelope> events, byte[] digest, String tp, int[] stubs) throws IOException {
        // Level 0 (stored, the local journal's choice) saves no billed bytes by leaving ids out but
        // would still pay a SHA-256 per event on both sides (~30% of the bridge's path there).
        if (options.gzipLevel() == 0) {
            digest = null;
        }
        // derived[i]: event i's line has no id (derivable from the digest and ordinal i).
        boolean[] derived = digest == null ? null : new boolean[events.size()];
        java.security.MessageDigest md = digest == null ? null : EventIds.sha256();
        String digestHex = digest == null ? null : EventIds.digestHex(digest);
        List<BusMessage> out = new ArrayList<>();
        // Serialise straight into the message buffer; the line that overflows it is moved to the
        // front of the next message, so the common path copies nothing.
        int maxBytes = options.maxPackedUncompressedBytes();
        ByteBuf buf = borrow(Math.min(maxBytes + 64 * 1024, Math.max(4096, events.size() * 640)));
        byte[] d = digest;
        try (JsonGenerator g = EnvelopeCodec.factory().createGenerator((OutputStream) buf, JsonEncoding.UTF8)) {
            g.setRootValueSeparator(null);
            pack(events, buf, new Lines() {
                @Override
                public void write(int i) throws IOException {
                    Envelope e = events.get(i);
                    boolean derive = derived != null && e.id().equals(EventIds.eventId(md, d, i));
                    if (derive) {
                        derived[i] = true;
                    }
                    EnvelopeCodec.write(g, e, !derive);
                    g.writeRaw('\n');
                }

                @Override
                public int size() {
                    // The generator's own buffer counts too, so it is flushed only when a message is cut.
                    return buf.size + g.getOutputBuffered();
                }

                @Override
                public void flush() throws IOException {
                    g.flush();
                }
            }, tp, stubs, derived, digestHex, out);
        }
        release(buf);
        return out;
    }

    /** Appends event lines to a message buffer, for {@link #pack}. */
    private interface Lines {
        /** Appends event {@code i}'s line and its newline. */
        void write(int i) throws IOException;

        /** Bytes of the buffer so far, those not flushed into it yet included. */
        int size();

        /** Moves whatever is not in the buffer yet into it. */
        void flush() throws IOException;
    }

    /**
     * Appends every event's line to {@code buf} through {@code lines} and emits a message whenever the
     * next line would overflow {@link MessageEncoderOptions#maxPackedUncompressedBytes()} or the event
     * bound: the overflowing line moves to the front of the buffer and starts the next message.
     */
    private void pack(List<Envelope> events, ByteBuf buf, Lines lines, String tp, int[] stubs, boolean[] derived,
            String digestHex, List<BusMessage> out) throws IOException {
        int maxBytes = options.maxPackedUncompressedBytes();
        int maxEvents = options.maxPackedEvents();
        int[] lineStarts = new int[Math.min(events.size(), maxEvents) + 1];
        int count = 0;
        int firstIndex = 0;
        for (int i = 0; i < events.size(); i++) {
            int before = lines.size();
            lines.write(i);
            if (count > 0 && (lines.size() > maxBytes || count >= maxEvents)) {
                lines.flush();
                emit(out, events, firstIndex, count, buf.buf, lineStarts, before, tp, stubs, derived, digestHex);
                buf.dropBefore(before);
                before = 0;
                firstIndex = i;
                count = 0;
            }
            lineStarts[count++] = before;
        }
        lines.flush();
        emit(out, events, firstIndex, count, buf.buf, lineStarts, buf.size, tp, stubs, derived, digestHex);
    }

    /**
     * A few NDJSON buffers shared by all encoders. A request's NDJSON (MiBs) outgrew a fresh
     * buffer and was copied on most requests, and each such array is a large (humongous in G1)
     * allocation; the NDJSON is transient (only its gzip leaves {@link #packed}), so reuse it.
     * Bounded: at most {@link #POOLED_BUFFERS} buffers of at most {@link #MAX_POOLED_BYTES} each.
     */
    private static final int POOLED_BUFFERS = 4;
    private static final int MAX_POOLED_BYTES = 2 * MessageEncoderOptions.DEFAULT_MAX_PACKED_UNCOMPRESSED_BYTES + 256 * 1024;
    private static final AtomicReferenceArray<ByteBuf> POOL = new AtomicReferenceArray<>(POOLED_BUFFERS);

    private static ByteBuf borrow(int initial) {
        for (int i = 0; i < POOLED_BUFFERS; i++) {
            ByteBuf b = POOL.getAndSet(i, null);
            if (b != null) {
                b.size = 0;
                return b;
            }
        }
        return new ByteBuf(initial);
    }

    private static void release(ByteBuf b) {
        if (b.buf.length > MAX_POOLED_BYTES) {
            return;
        }
        for (int i = 0; i < POOLED_BUFFERS; i++) {
            if (POOL.compareAndSet(i, null, b)) {
                return;
            }
        }
    }

    /**
     * Emits events {@code [first, first+count)} whose NDJSON is {@code buf[0, end)}, line k starting
     * at {@code lineStarts[k]}; splits in halves if the compressed result would not fit.
     */
    private void emit(List<BusMessage> out, List<Envelope> events, int first, int count, byte[] buf, int[] lineStarts,
            int end, String tp, int[] stubs, boolean[] derived, String digestHex) {
        emitRange(out, events, first, 0, count, count, buf, lineStarts, end, tp, stubs, derived, digestHex);
    }

    private void emitRange(List<BusMessage> out, List<Envelope> events, int first, int from, int to, int count,
            byte[] buf, int[] lineStarts, int end, String tp, int[] stubs, boolean[] derived, String digestHex) {
        int start = lineStarts[from];
        int stop = to < count ? lineStarts[to] : end;
        Severity max = Severity.DEBUG;
        List<String> ids = new ArrayList<>(to - from);
        boolean anyDerived = false;
        for (int k = from; k < to; k++) {
            Envelope e = events.get(first + k);
            ids.add(e.id());
            if (e.severity().moreSevereThan(max)) {
                max = e.severity();
            }
            anyDerived |= derived != null && derived[first + k];
        }
        Map<String, String> attrs = new HashMap<>(16);
        attrs.put(Attributes.SCHEMA, Attributes.SCHEMA_V1);
        // Level 0 is the local journal's choice: stored gzip only added a deflater on the way in and an
        // inflater per message per sink on the way out (~5 us each, most of a 10-event message's
        // decode), so the NDJSON goes as it is (encoding "ndjson", which every decoder reads).
        boolean plain = options.gzipLevel() == 0;
        attrs.put(Attributes.ENCODING, plain ? Attributes.ENCODING_NDJSON : Attributes.ENCODING_NDJSON_GZIP);
        attrs.put(Attributes.COUNT, Integer.toString(to - from));
        attrs.put(Attributes.MAX_SEVERITY, max.wireName());
        if (tp != null) {
            attrs.put(Attributes.TRACEPARENT, tp);
        }
        if (anyDerived) {
            // Ordinal of line k is first + from + k: the index of its event in the encoded list.
            attrs.put(Attributes.ID_DIGEST, digestHex);
            attrs.put(Attributes.ID_FIRST, Integer.toString(first + from));
        }
        byte[] data = plain ? Arrays.copyOfRange(buf, start, stop) : gzip(buf, start, stop - start, options.gzipLevel());
        if (data.length <= PubSubLimits.maxDataBytes(attrs)) {
            out.add(new BusMessage(data, attrs, to - from, ids));
            return;
        }
        if (to - from == 1) {
            if (options.gzipLevel() < 6) {
                // Last resort for one huge event: try harder before giving up.
                byte[] better = gzip(buf, start, stop - start, 9);
                attrs.put(Attributes.ENCODING, Attributes.ENCODING_NDJSON_GZIP);
                if (better.length <= PubSubLimits.maxDataBytes(attrs)) {
                    out.add(new BusMessage(better, attrs, 1, ids));
                    return;
                }
            }
            if (stubs == null) {
                throw tooLarge(events.get(first + from), stop - start, data.length);
            }
            stubs[0]++;
            Envelope stub = OversizeStub.of(events.get(first + from), stop - start - 1, data.length);
            byte[] json = EnvelopeCodec.toJson(stub);
            ByteBuf line = new ByteBuf(json.length + 1);
            line.write(json, 0, json.length);
            line.write('\n');
            attrs.put(Attributes.MAX_SEVERITY, stub.severity().wireName());
            // The stub's line carries its id.
            attrs.remove(Attributes.ID_DIGEST);
            attrs.remove(Attributes.ID_FIRST);
            out.add(new BusMessage(gzip(line.buf, 0, line.size, Math.max(1, options.gzipLevel())), attrs, 1, ids));
            return;
        }
        int mid = (from + to) >>> 1;
        emitRange(out, events, first, from, mid, count, buf, lineStarts, end, tp, stubs, derived, digestHex);
        emitRange(out, events, first, mid, to, count, buf, lineStarts, end, tp, stubs, derived, digestHex);
    }

    private static MessageTooLargeException tooLarge(Envelope e, int jsonBytes, int gzBytes) {
        return new MessageTooLargeException("event " + e.id() + " is " + jsonBytes + " bytes as JSON and " + gzBytes
                + " bytes gzip-compressed; a Pub/Sub message holds at most " + PubSubLimits.SAFE_MESSAGE_BYTES
                + " bytes here (limit " + PubSubLimits.MAX_MESSAGE_BYTES + ")");
    }

    static byte[] gzip(byte[] b, int off, int len, int level) {
        ByteBuf out = new ByteBuf(len / 4 + 64);
        try (LevelGzip gz = new LevelGzip(out, level)) {
            gz.write(b, off, len);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** GZIPOutputStream has no level parameter; its deflater is protected, so set it here. */
    private static final class LevelGzip extends GZIPOutputStream {
        LevelGzip(OutputStream out, int level) throws IOException {
            super(out, 64 * 1024);
            def.setLevel(level);
        }
    }
}
