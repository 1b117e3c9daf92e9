package dev.fanout.ingest.body;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.ingest.IngestRejection;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class BoundedBodyReaderTest {

    private static final BodyLimits LIMITS = new BodyLimits(1 << 20, 4 << 20);

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
            gz.write(data);
        }
        return bos.toByteArray();
    }

    /** gzip of {@code n} zero bytes (never held in memory uncompressed). */
    static byte[] gzipZeros(long n) throws IOException {
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
        }
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        for (long done = 0; done < n; done += member) {
            one.writeTo(bos);
        }
        return bos.toByteArray();
    }

    private static Body read(BodyLimits limits, byte[] wire, long contentLength) throws IOException {
        return new BoundedBodyReader(limits).read(new ByteArrayInputStream(wire), contentLength, 64 * 1024, c -> { });
    }

    private static String text(Body b) {
        return new String(b.bytes(), 0, b.length(), StandardCharsets.UTF_8);
    }

    @Test
    void identityBodyIsReturnedAsIs() throws IOException {
        byte[] json = "{\"_raw\":\"a\"}\n{\"_raw\":\"b\"}\n".getBytes(StandardCharsets.UTF_8);
        Body b = read(LIMITS, json, json.length);
        assertThat(text(b)).isEqualTo(new String(json, StandardCharsets.UTF_8));
        assertThat(b.wireBytes()).isEqualTo(json.length);
    }

    @Test
    void identityBodyWithoutLengthGrowsAsNeeded() throws IOException {
        byte[] big = new byte[900_000];
        Arrays.fill(big, (byte) 'x');
        Body b = read(LIMITS, big, -1);
        assertThat(b.length()).isEqualTo(big.length);
        assertThat(Arrays.equals(b.bytes(), 0, b.length(), big, 0, big.length)).isTrue();
    }

    @Test
    void gzipIsRecognisedByMagicBytes() throws IOException {
        byte[] json = "[{\"_raw\":\"zipped\"}]".getBytes(StandardCharsets.UTF_8);
        byte[] wire = gzip(json);
        Body b = read(LIMITS, wire, wire.length);
        assertThat(text(b)).isEqualTo("[{\"_raw\":\"zipped\"}]");
        assertThat(b.wireBytes()).isEqualTo(wire.length);
    }

    @Test
    void concatenatedGzipMembersAreAllInflated() throws IOException {
        ByteArrayOutputStream both = new ByteArrayOutputStream();
        both.write(gzip("{\"a\":1}\n".getBytes(StandardCharsets.UTF_8)));
        both.write(gzip("{\"a\":2}\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(text(read(LIMITS, both.toByteArray(), -1))).isEqualTo("{\"a\":1}\n{\"a\":2}\n");
    }

    @Test
    void emptyBodyIsEmpty() throws IOException {
        assertThat(read(LIMITS, new byte[0], 0).length()).isZero();
    }

    @Test
    void declaredLengthOverTheLimitIsRefusedWithoutReading() {
        InputStream never = new InputStream() {
            @Override
            public int read() {
                throw new AssertionError("body must not be read");
            }
        };
        assertThatThrownBy(() -> new BoundedBodyReader(LIMITS).read(never, (1 << 20) + 1, 4096, c -> { }))
                .isInstanceOfSatisfying(IngestRejection.class, r -> {
                    assertThat(r.status()).isEqualTo(413);
                    assertThat(r.code()).isEqualTo("body_too_large");
                });
    }

    @Test
    void undeclaredOversizeIsRefusedWhileStreaming() {
        byte[] big = new byte[(1 << 20) + 10];
        Arrays.fill(big, (byte) 'x');
        assertThatThrownBy(() -> read(LIMITS, big, -1))
                .isInstanceOfSatisfying(IngestRejection.class, r -> {
                    assertThat(r.status()).isEqualTo(413);
                    assertThat(r.code()).isEqualTo("body_too_large");
                });
    }

    @Test
    void bodyExactlyAtTheDecompressedLimitIsAccepted() throws IOException {
        BodyLimits limits = new BodyLimits(1 << 20, 1000);
        byte[] exact = new byte[1000];
        Arrays.fill(exact, (byte) 'y');
        assertThat(read(limits, exact, -1).length()).isEqualTo(1000);
        assertThat(read(limits, gzip(exact), -1).length()).isEqualTo(1000);
        byte[] over = Arrays.copyOf(exact, 1001);
        assertThatThrownBy(() -> read(limits, gzip(over), -1))
                .isInstanceOfSatisfying(IngestRejection.class, r -> assertThat(r.code()).isEqualTo("decompressed_too_large"));
    }

    @Test
    void decompressedOversizeIsRefused() throws IOException {
        // Log-like text compresses well below 100:1, so only the absolute limit can stop it.
        StringBuilder sb = new StringBuilder();
        for (int i = 0; sb.length() < (5 << 20); i++) {
            sb.append("{\"_raw\":\"GET /api/v1/items/").append(i).append(" 200 ").append(i * 7919 % 10007).append("ms\"}\n");
        }
        byte[] wire = gzip(sb.toString().getBytes(StandardCharsets.UTF_8));
        assertThat(wire.length).isLessThan(1 << 20);
        assertThatThrownBy(() -> read(LIMITS, wire, wire.length))
                .isInstanceOfSatisfying(IngestRejection.class, r -> {
                    assertThat(r.status()).isEqualTo(413);
                    assertThat(r.code()).isEqualTo("decompressed_too_large");
                });
    }

    @Test
    void zipBombIsStoppedByTheAbsoluteBoundAfterOneLimitOfInflating() throws IOException {
        byte[] bomb = gzipZeros(1L << 30);
        CountingStream wire = new CountingStream(new ByteArrayInputStream(bomb));
        assertThatThrownBy(() -> new BoundedBodyReader(LIMITS).read(wire, bomb.length, 4096, c -> { }))
                .isInstanceOfSatisfying(IngestRejection.class, r -> {
                    assertThat(r.status()).isEqualTo(413);
                    assertThat(r.code()).isEqualTo("decompressed_too_large");
                });
        // Stopped after a small prefix of the ~1 MB compressed bomb, not after inflating 1 GiB.
        assertThat(wire.read).isLessThan(bomb.length / 10);
    }

    @Test
    void repetitiveLogsFarAbove100To1AreAccepted() throws IOException {
        // 20,000 identical health-check lines compress ~290:1; the old ratio guard refused them (413).
        String line = "{\"_time\":1732371234.567,\"_raw\":\"GET /healthz HTTP/1.1 200\",\"host\":\"lb-1\"}\n";
        byte[] plain = line.repeat(20_000).getBytes(StandardCharsets.UTF_8);
        byte[] wire = gzip(plain);
        assertThat(plain.length / wire.length).isGreaterThan(200);
        assertThat(read(LIMITS, wire, wire.length).length()).isEqualTo(plain.length);
    }

    @Test
    void theBufferGrowsWithWhatArrivesNotWithContentLength() throws IOException {
        byte[] body = new byte[300_000];
        Arrays.fill(body, (byte) 'z');
        java.util.List<Integer> reserved = new java.util.ArrayList<>();
        // A Content-Length of 1 MiB (the limit) for a 300 kB body: only what arrives is reserved.
        Body b = new BoundedBodyReader(LIMITS).read(new ByteArrayInputStream(body), 1 << 20, 64 * 1024, reserved::add);
        assertThat(b.length()).isEqualTo(body.length);
        assertThat(reserved).isNotEmpty().allSatisfy(c -> assertThat(c).isLessThanOrEqualTo(body.length * 3 / 2 + 64 * 1024));
        assertThat(b.bytes().length).isEqualTo(reserved.get(reserved.size() - 1));
    }

    @Test
    void aRefusedReservationStopsTheReadBeforeTheBufferGrows() {
        byte[] body = new byte[200_000];
        Arrays.fill(body, (byte) 'q');
        IngestRejection refused = new IngestRejection(503, "memory_budget", "no");
        assertThatThrownBy(() -> new BoundedBodyReader(LIMITS).read(new ByteArrayInputStream(body), -1, 64 * 1024,
                c -> {
                    throw refused;
                })).isSameAs(refused);
    }

    @Test
    void corruptGzipIsUndecodable() throws IOException {
        byte[] wire = gzip("{\"a\":1}".getBytes(StandardCharsets.UTF_8));
        byte[] truncated = Arrays.copyOf(wire, wire.length - 6);
        assertThatThrownBy(() -> read(LIMITS, truncated, -1))
                .isInstanceOfSatisfying(IngestRejection.class, r -> {
                    assertThat(r.status()).isEqualTo(400);
                    assertThat(r.code()).isEqualTo("invalid_gzip");
                });
    }

    @Test
    void contentEncodingParsing() {
        assertThat(ContentCoding.parse(null)).isEqualTo(ContentCoding.IDENTITY);
        assertThat(ContentCoding.parse("identity")).isEqualTo(ContentCoding.IDENTITY);
        assertThat(ContentCoding.parse("GZIP")).isEqualTo(ContentCoding.GZIP);
        assertThat(ContentCoding.parse("x-gzip")).isEqualTo(ContentCoding.GZIP);
        assertThat(ContentCoding.parse("identity, gzip")).isEqualTo(ContentCoding.GZIP);
        assertThatThrownBy(() -> ContentCoding.parse("br"))
                .isInstanceOfSatisfying(IngestRejection.class, r -> {
                    assertThat(r.status()).isEqualTo(415);
                    assertThat(r.getMessage()).contains("'br'");
                });
        assertThatThrownBy(() -> ContentCoding.parse("gzip, deflate")).hasMessageContaining("'deflate'");
        assertThatThrownBy(() -> ContentCoding.parse("gzip, gzip")).hasMessageContaining("more than once");
    }

    private static final class CountingStream extends InputStream {
        private final InputStream in;
        long read;

        CountingStream(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                read++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                read += n;
            }
            return n;
        }
    }
}
