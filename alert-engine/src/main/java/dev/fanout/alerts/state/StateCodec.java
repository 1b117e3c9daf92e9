package dev.fanout.alerts.state;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** The state document's bytes: gzip of JSON (readable with {@code zcat state.json.gz | jq}). */
public final class StateCodec {
    private StateCodec() {}

    /** Guards decompression of a damaged or hostile object. */
    public static final int MAX_STATE_BYTES = 64 * 1024 * 1024;

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, false);

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static byte[] encode(AlertState state) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        // Level 1: the state is rewritten on every batch with matches; speed matters more than bytes.
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 16 * 1024) {
            {
                def.setLevel(java.util.zip.Deflater.BEST_SPEED);
            }
        }) {
            MAPPER.writeValue(gz, state);
        }
        return out.toByteArray();
    }

    public static AlertState decode(byte[] body) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body), 16 * 1024)) {
            byte[] json = in.readNBytes(MAX_STATE_BYTES + 1);
            if (json.length > MAX_STATE_BYTES) {
                throw new IOException("alert state larger than " + MAX_STATE_BYTES + " bytes uncompressed");
            }
            AlertState s = MAPPER.readValue(json, AlertState.class);
            if (s.schema != AlertState.SCHEMA) {
                throw new IOException("alert state schema " + s.schema + " is not " + AlertState.SCHEMA);
            }
            return s;
        }
    }
}
