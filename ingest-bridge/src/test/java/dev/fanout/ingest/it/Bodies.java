package dev.fanout.ingest.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/** Cribl-like request bodies for the HTTP tests. */
final class Bodies {

    private Bodies() {}

    static String event(String raw, String level) {
        return "{\"_time\":1732371234.567,\"_raw\":\"" + raw + "\",\"host\":\"web-1\",\"source\":\"/var/log/app.log\","
                + "\"sourcetype\":\"app\",\"index\":\"main\",\"level\":\"" + level + "\",\"cribl_pipe\":\"main\"}";
    }

    /** {@code n} NDJSON events with raws {@code prefix-0 … prefix-(n-1)}. */
    static String ndjson(String prefix, int n, String level) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(event(prefix + "-" + i, level)).append('\n');
        }
        return sb.toString();
    }

    /** Events whose raws are random (so the packed, gzipped messages stay about as big as the input). */
    static String incompressible(int n, int rawBytes, long seed) {
        Random r = new Random(seed);
        StringBuilder sb = new StringBuilder();
        byte[] b = new byte[rawBytes * 3 / 4];
        for (int i = 0; i < n; i++) {
            r.nextBytes(b);
            sb.append(event(Base64.getEncoder().encodeToString(b), "info")).append('\n');
        }
        return sb.toString();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
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

    /** gzip of {@code n} zero bytes (never held in memory uncompressed). */
    static byte[] gzipZeros(long n) {
        // 1 GiB as 16 concatenated gzip members of 64 MiB each (a valid multi-member gzip stream):
        // compressing 64 MiB once is 16x cheaper than compressing 1 GiB, and the bomb is the same.
        long member = Math.min(n, 64L << 20);
        ByteArrayOutputStream one = new ByteArrayOutputStream();
        byte[] zeros = new byte[64 * 1024];
        try (GZIPOutputStream gz = new GZIPOutputStream(one, 64 * 1024) {
            {
                def.setLevel(java.util.zip.Deflater.BEST_COMPRESSION);
            }
        }) {
            for (long left = member; left > 0; left -= zeros.length) {
                gz.write(zeros, 0, (int) Math.min(zeros.length, left));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        for (long done = 0; done < n; done += member) {
            bos.writeBytes(one.toByteArray());
        }
        return bos.toByteArray();
    }
}
