package dev.fanout.events;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Turns a (decompressed) Cribl Webhook request body into envelopes.
 *
 * <p>The format is detected by content: after an optional UTF-8 BOM and whitespace, {@code [} is a
 * JSON array, {@code {} one object, concatenated/NDJSON objects, or — with a wrapper pointer — a
 * Custom-format wrapper; anything else is read line by line. When the whole-body parse fails, or
 * the body is not valid UTF-8, the body is re-read line by line so every good line survives and
 * every bad one is kept as a malformed envelope ({@code raw} = the line, {@code parse_error} = why;
 * for a line that is not UTF-8 also {@code fields.raw_base64} = its exact bytes). Never throws for
 * the body's content: something is always kept. Thread-safe.
 */
public final class CriblDecoder {

    /** Field of a malformed envelope holding the exact bytes of a line that is not valid UTF-8, base64. */
    public static final String RAW_BASE64_FIELD = "raw_base64";

    /** Event times at or after 3000-01-01 are treated as invalid (e.g. milliseconds sent as seconds). */
    static final long MAX_EPOCH_SECONDS = 32503680000L;

    private static final int MAX_ERROR_CHARS = 200;

    private final JsonPointer wrapper;
    private final String wrapperFormat;

    public CriblDecoder(CriblDecoderOptions options) {
        Objects.requireNonNull(options, "options");
        this.wrapper = options.wrapperPointer().map(JsonPointer::compile).orElse(null);
        this.wrapperFormat = options.wrapperPointer().map(p -> "wrapper:" + p).orElse(null);
    }

    /**
     * @param receivedAt when the request arrived; used as {@code received_at} and as the time of
     *                   events without a usable {@code _time}
     */
    public DecodeResult decode(byte[] body, int offset, int length, Instant receivedAt) {
        Objects.checkFromIndexSize(offset, length, body.length);
        Objects.requireNonNull(receivedAt, "receivedAt");
        boolean utf8 = Utf8.firstInvalid(body, offset, length) < 0;
        int end = offset + length;
        int start = offset;
        if (length >= 3 && body[start] == (byte) 0xEF && body[start + 1] == (byte) 0xBB && body[start + 2] == (byte) 0xBF) {
            start += 3;
        }
        int first = skipWhitespace(body, start, end);
        if (first == end) {
            return new DecodeResult(List.of(), 0, "empty");
        }
        Ctx ctx = new Ctx(EventIds.bodyDigest(body, offset, length), receivedAt);
        ctx.checkUtf8 = !utf8;
        byte c = body[first];
        String format = null;
        // Not UTF-8: straight to line mode, where only the lines holding the bad bytes are lost to parsing.
        if (utf8 && c == '[') {
            format = tryArrays(body, first, end, ctx);
        } else if (utf8 && c == '{') {
            format = tryObjects(body, first, end, ctx);
        }
        if (format == null) {
            ctx.reset();
            lines(body, start, end, ctx, c == '[');
            format = "lines";
        }
        return new DecodeResult(ctx.events, ctx.malformed, format, ctx.digest);
    }

    private static int skipWhitespace(byte[] b, int i, int end) {
        while (i < end && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t')) {
            i++;
        }
        return i;
    }

    /** One or more root-level arrays of events; null when the body does not parse that way. */
    private String tryArrays(byte[] body, int from, int end, Ctx ctx) {
        try (JsonParser p = EnvelopeCodec.factory().createParser(body, from, end - from)) {
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t != JsonToken.START_ARRAY) {
                    return null;
                }
                for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                    element(p, e, ctx);
                }
            }
            return "json-array";
        } catch (IOException e) {
            return null;
        }
    }

    /** One object, concatenated/NDJSON objects, or a wrapper; null when the body does not parse that way. */
    private String tryObjects(byte[] body, int from, int end, Ctx ctx) {
        try (JsonParser p = EnvelopeCodec.factory().createParser(body, from, end - from)) {
            JsonToken t = p.nextToken();
            int objects = 0;
            if (wrapper != null) {
                ObjectNode firstObject = JsonTrees.readObject(p);
                t = p.nextToken();
                JsonNode items = firstObject.at(wrapper);
                if (t == null && items.isArray()) {
                    for (JsonNode item : items) {
                        if (item.isObject()) {
                            try (JsonParser tp = EnvelopeCodec.mapper().treeAsTokens(item)) {
                                tp.nextToken();
                                ctx.add(event(tp, ctx));
                            }
                        } else {
                            ctx.addMalformed(item.toString(), "array element is not a JSON object (" + kind(item) + ")");
                        }
                    }
                    return wrapperFormat;
                }
                try (JsonParser tp = EnvelopeCodec.mapper().treeAsTokens(firstObject)) {
                    tp.nextToken();
                    ctx.add(event(tp, ctx));
                }
                objects = 1;
            }
            for (; t != null; t = p.nextToken()) {
                if (t != JsonToken.START_OBJECT) {
                    return null;
                }
                ctx.add(event(p, ctx));
                objects++;
            }
            return objects == 1 ? "json-object" : "ndjson";
        } catch (IOException e) {
            return null;
        }
    }

    private void element(JsonParser p, JsonToken t, Ctx ctx) throws IOException {
        if (t == JsonToken.START_OBJECT) {
            ctx.add(event(p, ctx));
        } else {
            JsonNode v = JsonTrees.readValue(p, t);
            ctx.addMalformed(v.toString(), "array element is not a JSON object (" + kind(v) + ")");
        }
    }

    /** Line mode: every non-blank line is one event or one malformed envelope. */
    private void lines(byte[] body, int from, int end, Ctx ctx, boolean arrayish) {
        int lastContent = end;
        while (lastContent > from && isWs(body[lastContent - 1])) {
            lastContent--;
        }
        boolean firstContentLine = true;
        int ls = from;
        while (ls < end) {
            int le = ls;
            while (le < end && body[le] != '\n') {
                le++;
            }
            int next = le + 1;
            int lineEnd = le > ls && body[le - 1] == '\r' ? le - 1 : le;
            int a = skipWhitespace(body, ls, lineEnd);
            if (a < lineEnd) {
                int b = lineEnd;
                while (b > a && isWs(body[b - 1])) {
                    b--;
                }
                if (arrayish) {
                    // A broken JSON array: strip the array punctuation so the other elements still decode.
                    if (firstContentLine && body[a] == '[') {
                        a = skipWhitespace(body, a + 1, b);
                    }
                    if (b == lastContent && b > a && body[b - 1] == ']') {
                        b--;
                        while (b > a && isWs(body[b - 1])) {
                            b--;
                        }
                    }
                    if (b > a && body[b - 1] == ',') {
                        b--;
                        while (b > a && isWs(body[b - 1])) {
                            b--;
                        }
                    }
                }
                firstContentLine = false;
                if (a < b) {
                    line(body, a, b, ls, lineEnd, ctx);
                }
            }
            ls = next;
        }
    }

    private void line(byte[] body, int a, int b, int lineStart, int lineEnd, Ctx ctx) {
        if (ctx.checkUtf8) {
            int bad = Utf8.firstInvalid(body, lineStart, lineEnd - lineStart);
            if (bad >= 0) {
                ctx.addMalformedBytes(body, lineStart, lineEnd, "invalid UTF-8 (first bad byte at column "
                        + (bad - lineStart + 1) + "); the exact bytes are in fields." + RAW_BASE64_FIELD);
                return;
            }
        }
        String reason;
        Envelope parsed = null;
        try (JsonParser p = EnvelopeCodec.factory().createParser(body, a, b - a)) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.START_OBJECT) {
                parsed = event(p, ctx);
                if (p.nextToken() == null) {
                    ctx.add(parsed);
                    return;
                }
                reason = "trailing data after the JSON object";
            } else {
                reason = "not a JSON object (" + kind(t) + ")";
            }
        } catch (JsonProcessingException e) {
            reason = "invalid JSON: " + e.getOriginalMessage() + " at column " + (e.getLocation() == null
                    ? "?" : String.valueOf(e.getLocation().getColumnNr()));
        } catch (IOException e) {
            reason = "invalid JSON: " + e.getMessage();
        }
        if (parsed != null) {
            // The line parsed as an object but is kept whole as malformed: give its ordinal back.
            ctx.ordinal--;
        }
        ctx.addMalformed(Utf8.decode(body, lineStart, lineEnd - lineStart), reason);
    }

    private static boolean isWs(byte x) {
        return x == ' ' || x == '\t' || x == '\r' || x == '\n';
    }

    /** Maps the Cribl event object whose START_OBJECT is the parser's current token. */
    private Envelope event(JsonParser p, Ctx ctx) throws IOException {
        ObjectNode fields = JsonTrees.NODES.objectNode();
        JsonNode timeNode = null;
        Instant fastTime = null;
        String raw = null;
        String host = null;
        String source = null;
        String sourcetype = null;
        String index = null;
        for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
            JsonToken t = p.nextToken();
            if (name.startsWith("__")) {
                // Cribl internals (__url, __headers, …) steer destinations; they are not event data.
                p.skipChildren();
                continue;
            }
            switch (name) {
                case "_time":
                    fastTime = t == JsonToken.VALUE_NUMBER_FLOAT ? plainSeconds(p) : null;
                    timeNode = fastTime == null ? JsonTrees.readValue(p, t) : null;
                    break;
                case "_raw":
                    raw = string(p, t);
                    break;
                case "host":
                    host = string(p, t);
                    break;
                case "source":
                    source = string(p, t);
                    break;
                case "sourcetype":
                    sourcetype = string(p, t);
                    break;
                case "index":
                    index = string(p, t);
                    break;
                default:
                    fields.set(name, JsonTrees.readValue(p, t));
            }
        }
        if (p.currentToken() != JsonToken.END_OBJECT) {
            throw new com.fasterxml.jackson.core.JsonParseException(p, "expected a field name or '}'");
        }
        Instant time = fastTime != null ? fastTime : timeNode == null ? null : eventTime(timeNode);
        if (time == null && timeNode != null) {
            // Keep what Cribl sent so nothing is lost; the envelope's time falls back to the receive time.
            fields.set("_time", timeNode);
        }
        Severity severity = SeverityNormalizer.normalize(fields);
        return new Envelope(ctx.nextId(), Envelope.SCHEMA_V1,
                time == null ? ctx.receivedAt : time,
                time == null ? Envelope.TimeSource.RECEIVED : Envelope.TimeSource.EVENT,
                ctx.receivedAt, host, source, sourcetype, index, severity, raw, fields, null);
    }

    /** Largest whole-second part {@link #plainSeconds} takes (2^31 - 1, year 2038). */
    private static final long PLAIN_MAX_SECONDS = Integer.MAX_VALUE;

    /**
     * Fast path for the usual Cribl {@code _time} ({@code 1732371234.567}): a JSON float of the form
     * {@code digits.digits} with at most 10 integer digits below 2^31 and 1–6 fraction digits,
     * read exactly from its text instead of through a {@code double}. Gives the same instant as
     * {@link #eventTime}'s double path: below 2^31 s a double is within 2^-23 s of the text and
     * the product with 10^6 within another 0.125, so the rounding to microseconds there always
     * lands on the exact value. Null for anything else (the caller takes the general path).
     */
    private static Instant plainSeconds(JsonParser p) throws IOException {
        char[] c = p.getTextCharacters();
        int off = p.getTextOffset();
        int len = p.getTextLength();
        int end = off + len;
        int i = off;
        long sec = 0;
        while (i < end && c[i] >= '0' && c[i] <= '9') {
            sec = sec * 10 + (c[i] - '0');
            i++;
        }
        int intDigits = i - off;
        if (intDigits == 0 || intDigits > 10 || sec > PLAIN_MAX_SECONDS || i == end || c[i] != '.') {
            return null;
        }
        i++;
        int fracStart = i;
        long frac = 0;
        while (i < end && c[i] >= '0' && c[i] <= '9') {
            frac = frac * 10 + (c[i] - '0');
            i++;
        }
        int fracDigits = i - fracStart;
        if (i != end || fracDigits == 0 || fracDigits > 6) {
            return null;
        }
        for (int k = fracDigits; k < 9; k++) {
            frac *= 10;
        }
        return Instant.ofEpochSecond(sec, frac);
    }

    /** Strings as they are; other scalars as their JSON text; containers as compact JSON. */
    private static String string(JsonParser p, JsonToken t) throws IOException {
        switch (t) {
            case VALUE_STRING:
                return p.getText();
            case VALUE_NULL:
                return null;
            case START_OBJECT:
            case START_ARRAY:
                return JsonTrees.readValue(p, t).toString();
            default:
                return p.getText();
        }
    }

    /**
     * Cribl {@code _time}: epoch seconds with an optional fraction, as a JSON number or a numeric
     * string. Null when unusable or outside [1970, 3000).
     */
    static Instant eventTime(JsonNode n) {
        String text;
        if (n.isNumber()) {
            if (n.isIntegralNumber()) {
                if (!n.canConvertToLong()) {
                    return null;
                }
                long s = n.longValue();
                return s >= 0 && s < MAX_EPOCH_SECONDS ? Instant.ofEpochSecond(s) : null;
            }
            if (n.isDouble()) {
                double d = n.doubleValue();
                if (!(d >= 0 && d < MAX_EPOCH_SECONDS)) {
                    return null;
                }
                // A double carries ~0.2 µs at today's epoch; round to µs so 1732371234.567 stays .567.
                long micros = Math.round(d * 1e6);
                return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
            }
            text = n.asText();
        } else if (n.isTextual()) {
            text = n.textValue().trim();
        } else {
            return null;
        }
        return epochSeconds(text);
    }

    /** Exact decimal seconds (fraction truncated to nanoseconds). */
    static Instant epochSeconds(String text) {
        int len = text.length();
        if (len == 0 || len > 64) {
            return null;
        }
        long sec = 0;
        int i = 0;
        int intDigits = 0;
        while (i < len && text.charAt(i) >= '0' && text.charAt(i) <= '9' && intDigits < 12) {
            sec = sec * 10 + (text.charAt(i) - '0');
            i++;
            intDigits++;
        }
        long nanos = 0;
        boolean simple = intDigits > 0;
        if (simple && i < len && text.charAt(i) == '.') {
            i++;
            int scale = 100_000_000;
            int fracDigits = 0;
            while (i < len && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
                nanos += (text.charAt(i) - '0') * (long) scale;
                scale /= 10;
                i++;
                fracDigits++;
            }
            simple = fracDigits > 0;
        }
        if (simple && i == len) {
            return sec < MAX_EPOCH_SECONDS ? Instant.ofEpochSecond(sec, nanos) : null;
        }
        try {
            BigDecimal d = new BigDecimal(text);
            if (d.signum() < 0 || d.compareTo(BigDecimal.valueOf(MAX_EPOCH_SECONDS)) >= 0) {
                return null;
            }
            long s = d.longValue();
            long ns = d.subtract(BigDecimal.valueOf(s)).movePointRight(9).longValue();
            return Instant.ofEpochSecond(s, ns);
        } catch (NumberFormatException | ArithmeticException e) {
            return null;
        }
    }

    private static String kind(JsonNode v) {
        return v.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }

    private static String kind(JsonToken t) {
        if (t == null) {
            return "nothing";
        }
        switch (t) {
            case START_ARRAY:
                return "array";
            case VALUE_STRING:
                return "string";
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return "number";
            case VALUE_TRUE:
            case VALUE_FALSE:
                return "boolean";
            case VALUE_NULL:
                return "null";
            default:
                return t.asString() == null ? t.name() : t.asString();
        }
    }

    /** Per-call state: kept events, the id ordinal and one digest reused for every id. */
    private static final class Ctx {
        final byte[] digest;
        final Instant receivedAt;
        final MessageDigest md = EventIds.sha256();
        List<Envelope> events = new ArrayList<>();
        int ordinal;
        int malformed;
        /** The body is not valid UTF-8: line mode checks each line. */
        boolean checkUtf8;

        Ctx(byte[] digest, Instant receivedAt) {
            this.digest = digest;
            this.receivedAt = receivedAt;
        }

        String nextId() {
            return EventIds.eventId(md, digest, ordinal++);
        }

        void add(Envelope e) {
            events.add(e);
        }

        void addMalformed(String raw, String reason) {
            addMalformed(raw, reason, JsonTrees.NODES.objectNode());
        }

        /** A line that is not UTF-8: lossy text in {@code raw}, the exact bytes in {@link #RAW_BASE64_FIELD}. */
        void addMalformedBytes(byte[] body, int from, int to, String reason) {
            ObjectNode fields = JsonTrees.NODES.objectNode();
            fields.put(RAW_BASE64_FIELD, java.util.Base64.getEncoder().encodeToString(
                    java.util.Arrays.copyOfRange(body, from, to)));
            addMalformed(Utf8.decode(body, from, to - from), reason, fields);
        }

        private void addMalformed(String raw, String reason, ObjectNode fields) {
            if (reason.length() > MAX_ERROR_CHARS) {
                reason = reason.substring(0, MAX_ERROR_CHARS - 1) + "…";
            }
            reason = reason.replace('\n', ' ').replace('\r', ' ');
            events.add(new Envelope(nextId(), Envelope.SCHEMA_V1, receivedAt, Envelope.TimeSource.RECEIVED,
                    receivedAt, null, null, null, null, Severity.INFO, raw, fields, reason));
            malformed++;
        }

        void reset() {
            events = new ArrayList<>();
            ordinal = 0;
            malformed = 0;
        }
    }
}
