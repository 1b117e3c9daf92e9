package dev.fanout.events;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Envelope v1 JSON (see {@code docs/event-contract.md}). Thread-safe; everything is static.
 *
 * <p>Written with the streaming API: one envelope is a flat object whose only nested value is
 * {@code fields}, so a hand-written writer avoids databind's per-call setup on the hot path.
 */
public final class EnvelopeCodec {

    public static final String F_ID = "id";
    public static final String F_SCHEMA = "schema";
    public static final String F_TIME = "time";
    public static final String F_TIME_SOURCE = "time_source";
    public static final String F_RECEIVED_AT = "received_at";
    public static final String F_HOST = "host";
    public static final String F_SOURCE = "source";
    public static final String F_SOURCETYPE = "sourcetype";
    public static final String F_INDEX = "index";
    public static final String F_SEVERITY = "severity";
    public static final String F_RAW = "raw";
    public static final String F_FIELDS = "fields";
    public static final String F_PARSE_ERROR = "parse_error";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private EnvelopeCodec() {}

    /** The shared mapper (default Jackson settings); do not reconfigure it. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    static JsonFactory factory() {
        return MAPPER.getFactory();
    }

    /** One envelope as compact JSON (UTF-8, no trailing newline). */
    public static byte[] toJson(Envelope e) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + (e.raw() == null ? 0 : e.raw().length() + 16));
        try (JsonGenerator g = factory().createGenerator(out, JsonEncoding.UTF8)) {
            write(g, e);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }

    /**
     * A {@code fields} object as compact JSON (UTF-8), the bytes {@link #toJson} writes for it. Through
     * the codec's own tree writer: {@code ObjectMapper.writeValueAsBytes} per row was a third of the
     * local analytics writer's CPU.
     */
    public static byte[] fieldsJson(JsonNode fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (JsonGenerator g = factory().createGenerator(out, JsonEncoding.UTF8)) {
            JsonTrees.write(g, fields);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }

    /** Writes the envelope as one NDJSON line (compact JSON then {@code '\n'}). */
    public static void writeNdjsonLine(Envelope e, OutputStream out) throws IOException {
        try (JsonGenerator g = factory().createGenerator(out, JsonEncoding.UTF8)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            write(g, e);
            g.writeRaw('\n');
        }
    }

    /**
     * Writes every envelope as one NDJSON line each, with a single generator (cheaper than one
     * {@link #writeNdjsonLine} call per envelope). Does not close {@code out}.
     */
    public static void writeNdjson(Iterable<Envelope> events, OutputStream out) throws IOException {
        try (JsonGenerator g = factory().createGenerator(out, JsonEncoding.UTF8)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.setRootValueSeparator(null);
            for (Envelope e : events) {
                write(g, e);
                g.writeRaw('\n');
            }
        }
    }

    /**
     * Writes the envelope as one root value with {@code g}. The caller owns the generator and any
     * separator between values.
     */
    public static void write(JsonGenerator g, Envelope e) throws IOException {
        write(g, e, true);
    }

    /**
     * As {@link #write(JsonGenerator, Envelope)}; {@code withId} false leaves {@code id} out, for a
     * packed message whose attributes let the reader derive it (see {@link MessageEncoder}).
     */
    static void write(JsonGenerator g, Envelope e, boolean withId) throws IOException {
        g.writeStartObject();
        if (withId) {
            g.writeFieldName(N_ID);
            g.writeString(e.id());
        }
        g.writeFieldName(N_SCHEMA);
        g.writeNumber(e.schema());
        g.writeFieldName(N_TIME);
        Timestamps.write(g, e.time());
        g.writeFieldName(N_TIME_SOURCE);
        g.writeString(TIME_SOURCE_WIRE[e.timeSource().ordinal()]);
        g.writeFieldName(N_RECEIVED_AT);
        Timestamps.write(g, e.receivedAt());
        optional(g, N_HOST, e.host());
        optional(g, N_SOURCE, e.source());
        optional(g, N_SOURCETYPE, e.sourcetype());
        optional(g, N_INDEX, e.index());
        g.writeFieldName(N_SEVERITY);
        g.writeString(SEVERITY_WIRE[e.severity().ordinal()]);
        optional(g, N_RAW, e.raw());
        g.writeFieldName(N_FIELDS);
        JsonTrees.write(g, e.fields());
        optional(g, N_PARSE_ERROR, e.parseError());
        g.writeEndObject();
    }

    // Pre-encoded names and enum values: copied as bytes instead of being escaped on every event.
    private static final SerializableString N_ID = new SerializedString(F_ID);
    private static final SerializableString N_SCHEMA = new SerializedString(F_SCHEMA);
    private static final SerializableString N_TIME = new SerializedString(F_TIME);
    private static final SerializableString N_TIME_SOURCE = new SerializedString(F_TIME_SOURCE);
    private static final SerializableString N_RECEIVED_AT = new SerializedString(F_RECEIVED_AT);
    private static final SerializableString N_HOST = new SerializedString(F_HOST);
    private static final SerializableString N_SOURCE = new SerializedString(F_SOURCE);
    private static final SerializableString N_SOURCETYPE = new SerializedString(F_SOURCETYPE);
    private static final SerializableString N_INDEX = new SerializedString(F_INDEX);
    private static final SerializableString N_SEVERITY = new SerializedString(F_SEVERITY);
    private static final SerializableString N_RAW = new SerializedString(F_RAW);
    private static final SerializableString N_FIELDS = new SerializedString(F_FIELDS);
    private static final SerializableString N_PARSE_ERROR = new SerializedString(F_PARSE_ERROR);
    private static final SerializableString[] SEVERITY_WIRE = java.util.Arrays.stream(Severity.values())
            .map(s -> new SerializedString(s.wireName())).toArray(SerializableString[]::new);
    private static final SerializableString[] TIME_SOURCE_WIRE = java.util.Arrays.stream(Envelope.TimeSource.values())
            .map(s -> new SerializedString(s.wireName())).toArray(SerializableString[]::new);

    private static void optional(JsonGenerator g, SerializableString name, String value) throws IOException {
        if (value != null) {
            g.writeFieldName(name);
            g.writeString(value);
        }
    }

    /** Reads one envelope; the bytes must hold exactly one JSON object. */
    public static Envelope fromJson(byte[] json) throws IOException {
        try (JsonParser p = factory().createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("envelope must be a JSON object");
            }
            Envelope e = read(p);
            if (p.nextToken() != null) {
                throw new IOException("trailing data after the envelope object");
            }
            return e;
        }
    }

    /**
     * Maps an already parsed envelope object.
     *
     * @throws IllegalArgumentException when a required field is missing or has the wrong type
     */
    public static Envelope fromJson(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("envelope must be a JSON object");
        }
        try (JsonParser p = MAPPER.treeAsTokens(node)) {
            p.nextToken();
            return read(p);
        } catch (IOException ex) {
            throw new IllegalArgumentException(ex.getMessage(), ex);
        }
    }

    /**
     * Reads NDJSON envelopes until end of input. Blank lines are skipped (any JSON whitespace
     * between objects is). Does not close {@code in}.
     */
    public static List<Envelope> readNdjson(InputStream in) throws IOException {
        List<Envelope> out = new ArrayList<>();
        try (JsonParser p = factory().createParser(in)) {
            p.disable(JsonParser.Feature.AUTO_CLOSE_SOURCE);
            readAll(p, out);
        }
        return out;
    }

    /** Reads NDJSON envelopes from a byte range. */
    public static List<Envelope> readNdjson(byte[] data, int off, int len) throws IOException {
        return readNdjson(data, off, len, null);
    }

    /**
     * Reads NDJSON envelopes from a byte range; an envelope without {@code id} gets
     * {@code missingId.apply(k)}, k its 0-based position (null: such an envelope is invalid).
     */
    static List<Envelope> readNdjson(byte[] data, int off, int len, IntFunction<String> missingId) throws IOException {
        List<Envelope> out = new ArrayList<>();
        try (JsonParser p = factory().createParser(data, off, len)) {
            readAll(p, out, missingId);
        }
        return out;
    }

    private static void readAll(JsonParser p, List<Envelope> out) throws IOException {
        readAll(p, out, null);
    }

    private static void readAll(JsonParser p, List<Envelope> out, IntFunction<String> missingId) throws IOException {
        for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
            if (t != JsonToken.START_OBJECT) {
                throw new IOException("envelope #" + (out.size() + 1) + " is not a JSON object");
            }
            out.add(read(p, missingId, out.size()));
        }
    }

    /** Reads the envelope whose START_OBJECT is the current token; leaves the parser on its END_OBJECT. */
    static Envelope read(JsonParser p) throws IOException {
        return read(p, null, 0);
    }

    /**
     * Checks a byte range the way {@link #readNdjson(byte[], int, int)} reads it when it holds
     * exactly one envelope, and returns that envelope without its texts: {@code id}, {@code schema},
     * the times, {@code time_source} and {@code severity} are read, {@code raw}, {@code host},
     * {@code source}, {@code sourcetype}, {@code index}, {@code parse_error} and {@code fields} are
     * only checked (their JSON types, and the syntax of everything) and come back null / empty.
     * Same field loop as the full read, so the same lines pass, as long as the range is well-formed
     * UTF-8 (the skipped strings are not decoded, so a range that is not is read in full, by
     * {@link #readOne}) and its strings are shorter than the parser's string limit (20 M
     * characters; a bus message holds at most 10 MB).
     *
     * @throws IOException for anything the full read rejects, and for a second value in the range
     */
    public static Envelope readHeader(byte[] data, int off, int len) throws IOException {
        if (Utf8.firstInvalid(data, off, len) >= 0) {
            return readOne(data, off, len);
        }
        try (JsonParser p = factory().createParser(data, off, len)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("envelope #1 is not a JSON object");
            }
            Envelope e = read(p, null, 0, false);
            if (p.nextToken() != null) {
                throw new IOException("a line must hold exactly one envelope");
            }
            return e;
        }
    }

    /**
     * Reads a byte range that must hold exactly one envelope (an NDJSON line), in full.
     *
     * @throws IOException when it is not one valid envelope
     */
    public static Envelope readOne(byte[] data, int off, int len) throws IOException {
        List<Envelope> parsed = readNdjson(data, off, len);
        if (parsed.size() != 1) {
            throw new IOException("a line must hold exactly one envelope, found " + parsed.size());
        }
        return parsed.get(0);
    }

    private static Envelope read(JsonParser p, IntFunction<String> missingId, int position) throws IOException {
        return read(p, missingId, position, true);
    }

    /** @param full false: the texts and fields are checked but not kept ({@link #readHeader}) */
    private static Envelope read(JsonParser p, IntFunction<String> missingId, int position, boolean full) throws IOException {
        String id = null;
        int schema = -1;
        Instant time = null;
        Envelope.TimeSource timeSource = Envelope.TimeSource.EVENT;
        Instant receivedAt = null;
        String host = null;
        String source = null;
        String sourcetype = null;
        String index = null;
        Severity severity = null;
        String raw = null;
        ObjectNode fields = null;
        String parseError = null;
        for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
            JsonToken t = p.nextToken();
            switch (name) {
                case F_ID:
                    id = text(p, t, name);
                    break;
                case F_SCHEMA:
                    if (t != JsonToken.VALUE_NUMBER_INT) {
                        throw new IOException("envelope field 'schema' must be an integer");
                    }
                    schema = p.getIntValue();
                    break;
                case F_TIME:
                    time = instant(p, t, name);
                    break;
                case F_TIME_SOURCE:
                    String ts = text(p, t, name);
                    if (ts != null && !"event".equals(ts) && !"received".equals(ts)) {
                        throw new IOException("envelope field 'time_source' must be 'event' or 'received'");
                    }
                    timeSource = Envelope.TimeSource.fromWire(ts);
                    break;
                case F_RECEIVED_AT:
                    receivedAt = instant(p, t, name);
                    break;
                case F_HOST:
                    host = full ? text(p, t, name) : checkText(t, name);
                    break;
                case F_SOURCE:
                    source = full ? text(p, t, name) : checkText(t, name);
                    break;
                case F_SOURCETYPE:
                    sourcetype = full ? text(p, t, name) : checkText(t, name);
                    break;
                case F_INDEX:
                    index = full ? text(p, t, name) : checkText(t, name);
                    break;
                case F_SEVERITY:
                    String sv = text(p, t, name);
                    if (sv != null) {
                        try {
                            severity = Severity.fromWire(sv);
                        } catch (IllegalArgumentException ex) {
                            throw new IOException("envelope field 'severity' has unknown value '" + Utf8.truncate(sv, 40) + "'");
                        }
                    }
                    break;
                case F_RAW:
                    raw = full ? text(p, t, name) : checkText(t, name);
                    break;
                case F_FIELDS:
                    if (t == JsonToken.VALUE_NULL) {
                        break;
                    }
                    if (t != JsonToken.START_OBJECT) {
                        throw new IOException("envelope field 'fields' must be an object");
                    }
                    if (full) {
                        fields = JsonTrees.readObject(p);
                    } else {
                        p.skipChildren();
                    }
                    break;
                case F_PARSE_ERROR:
                    parseError = full ? text(p, t, name) : checkText(t, name);
                    break;
                default:
                    // Newer minor versions may add fields; readers of v1 ignore what they don't know.
                    p.skipChildren();
            }
        }
        if (id == null && missingId != null) {
            id = missingId.apply(position);
        }
        if (id == null) {
            throw new IOException("envelope is missing 'id'");
        }
        if (schema < 1) {
            throw new IOException("envelope is missing 'schema'");
        }
        if (time == null || receivedAt == null) {
            throw new IOException("envelope " + id + " is missing 'time' or 'received_at'");
        }
        if (severity == null) {
            throw new IOException("envelope " + id + " is missing 'severity'");
        }
        return new Envelope(id, schema, time, timeSource, receivedAt, host, source, sourcetype, index, severity, raw,
                fields == null ? JsonTrees.NODES.objectNode() : fields, parseError);
    }

    /** The type check of {@link #text} without decoding the string; always null. */
    private static String checkText(JsonToken t, String name) throws IOException {
        if (t == JsonToken.VALUE_STRING || t == JsonToken.VALUE_NULL) {
            return null;
        }
        throw new IOException("envelope field '" + name + "' must be a string");
    }

    private static String text(JsonParser p, JsonToken t, String name) throws IOException {
        if (t == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        throw new IOException("envelope field '" + name + "' must be a string");
    }

    private static Instant instant(JsonParser p, JsonToken t, String name) throws IOException {
        String s = text(p, t, name);
        if (s == null) {
            return null;
        }
        try {
            return Timestamps.parse(s);
        } catch (DateTimeParseException ex) {
            throw new IOException("envelope field '" + name + "' is not an RFC 3339 timestamp");
        }
    }
}
