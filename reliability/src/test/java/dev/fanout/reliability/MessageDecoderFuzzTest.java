package dev.fanout.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.fanout.events.Attributes;
import dev.fanout.events.EventIds;
import dev.fanout.events.MessageDecodeException;
import dev.fanout.events.MessageDecoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * The bus message decoder reads what anyone who can publish to the topic (or post to a push
 * endpoint) sends. Whatever the data and attributes: it decodes or throws the one documented
 * {@link MessageDecodeException} (the runtime dead-letters those), never inflates past its bound
 * (a gzip bomb or a lying ISIZE trailer cannot allocate beyond it), and a {@code count} attribute
 * it accepts is the number of events it returns. With the {@code id_digest}/{@code id_first}
 * attributes of packed messages, a line without an id gets exactly the derived id, and a line
 * with one keeps it.
 */
class MessageDecoderFuzzTest {

    /** Small, so the fuzzer reaches the bound with short inputs. */
    private static final long MAX_DECOMPRESSED = 64 * 1024;

    private static final List<String> SCHEMAS = List.of(Attributes.SCHEMA_V1, "2", "");
    /** A well-formed digest half the time, so the fuzzer gets past its validation to the derivation. */
    private static final String DIGEST = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    private static final List<String> ENCODINGS = List.of(Attributes.ENCODING_JSON, Attributes.ENCODING_NDJSON_GZIP, "zstd", "");

    @FuzzTest(maxDuration = "20s")
    void anyMessageDecodesOrIsRejectedWithinItsBound(FuzzedDataProvider data) throws IOException {
        Map<String, String> attrs = new HashMap<>();
        if (data.consumeBoolean()) {
            attrs.put(Attributes.SCHEMA, data.pickValue(SCHEMAS));
        }
        if (data.consumeBoolean()) {
            attrs.put(Attributes.ENCODING, data.pickValue(ENCODINGS));
        }
        if (data.consumeBoolean()) {
            attrs.put(Attributes.COUNT, data.consumeBoolean() ? Integer.toString(data.consumeInt(-1, 5)) : data.consumeString(8));
        }
        if (data.consumeBoolean()) {
            attrs.put(Attributes.ID_DIGEST, data.consumeBoolean() ? DIGEST : data.consumeString(70));
            attrs.put(Attributes.ID_FIRST, data.consumeBoolean() ? Integer.toString(data.consumeInt(-1, 1000)) : data.consumeString(12));
        }
        boolean gzip = data.consumeBoolean();
        byte[] payload = data.consumeRemainingAsBytes();
        // Half the inputs are real gzip streams, so the fuzzer explores the JSON behind the inflater too.
        byte[] message = gzip ? gzip(payload) : payload;
        MessageDecoder.Decoded d;
        try {
            d = MessageDecoder.decodeMeasured(message, attrs, MAX_DECOMPRESSED);
        } catch (MessageDecodeException expected) {
            return;
        }
        assertThat(d.jsonBytes()).isLessThanOrEqualTo(MAX_DECOMPRESSED);
        String count = attrs.get(Attributes.COUNT);
        if (count != null && Attributes.ENCODING_NDJSON_GZIP.equals(attrs.get(Attributes.ENCODING))) {
            assertThat(d.events()).hasSize(Integer.parseInt(count));
        }
        d.events().forEach(e -> assertThat(e.id()).isNotNull());
        if (attrs.containsKey(Attributes.ID_DIGEST) && Integer.parseInt(attrs.get(Attributes.ID_FIRST)) < Integer.MAX_VALUE) {
            // Accepted id attributes are well-formed. Shifting the first ordinal tells derived ids
            // (they move, to exactly the derived value) from a line's own (it stays).
            byte[] digest = EventIds.parseDigestHex(attrs.get(Attributes.ID_DIGEST));
            int base = Integer.parseInt(attrs.get(Attributes.ID_FIRST));
            Map<String, String> shifted = new HashMap<>(attrs);
            shifted.put(Attributes.ID_FIRST, Integer.toString(base + 1));
            List<dev.fanout.events.Envelope> other = MessageDecoder.decode(message, shifted, MAX_DECOMPRESSED);
            assertThat(other).hasSameSizeAs(d.events());
            for (int k = 0; k < other.size(); k++) {
                String id = d.events().get(k).id();
                if (!id.equals(other.get(k).id())) {
                    assertThat(id).as("envelope %d", k).isEqualTo(EventIds.eventId(digest, base + k));
                    assertThat(other.get(k).id()).isEqualTo(EventIds.eventId(digest, base + 1 + k));
                }
            }
        }
    }

    private static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(b);
        }
        return out.toByteArray();
    }
}
