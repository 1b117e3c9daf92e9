package dev.fanout.local;

import dev.fanout.events.EventIds;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/** Cribl Webhook bodies and the envelope ids the bridge must derive from them. */
final class CriblBodies {

    private CriblBodies() {}

    static String event(String raw, String level) {
        return "{\"_time\":1732371234.567,\"_raw\":\"" + raw + "\",\"host\":\"web-1\",\"source\":\"/var/log/app.log\","
                + "\"sourcetype\":\"app\",\"index\":\"main\",\"level\":\"" + level + "\",\"cribl_pipe\":\"main\"}";
    }

    static List<String> raws(String prefix, int n) {
        List<String> r = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            r.add(prefix + "-" + i);
        }
        return r;
    }

    static byte[] ndjson(List<String> raws) {
        StringBuilder sb = new StringBuilder();
        for (String raw : raws) {
            sb.append(event(raw, "info")).append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    static byte[] jsonArray(List<String> raws) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < raws.size(); i++) {
            sb.append(i == 0 ? "" : ",").append(event(raws.get(i), "warn"));
        }
        return sb.append(']').toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Ids of the {@code n} well-formed events of a decompressed body: the contract of
     * {@link EventIds} (digest of the body, then the event's ordinal).
     */
    static List<String> expectedIds(byte[] decompressedBody, int n) {
        byte[] digest = EventIds.bodyDigest(decompressedBody, 0, decompressedBody.length);
        List<String> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids.add(EventIds.eventId(digest, i));
        }
        return ids;
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bos.toByteArray();
    }
}
