package dev.fanout.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.fanout.events.Attributes;
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
 * it accepts is the number of events it returns.
 */
class MessageDecoderFuzzTest {

    /** Small, so the fuzzer reaches the bound with short inputs. */
    private static final long MAX_DECOMPRESSED = 64 * 1024;

    private static final List<String> SCHEMAS = List.of(Attributes.SCHEMA_V1, "2", "");
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
    }

    private static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(b);
        }
        return out.toByteArray();
    }
}
