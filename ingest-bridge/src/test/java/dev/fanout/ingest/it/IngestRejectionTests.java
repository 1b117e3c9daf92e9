package dev.fanout.ingest.it;

import static dev.fanout.ingest.it.Bodies.gzip;
import static dev.fanout.ingest.it.Bodies.gzipZeros;
import static dev.fanout.ingest.it.Bodies.ndjson;
import static dev.fanout.ingest.it.Bodies.utf8;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Auth and the 4xx answers: each says what was wrong, and nothing reaches the bus. */
@QuarkusTest
@QuarkusTestResource(FakeBus.class)
class IngestRejectionTests {

    private static final byte[] ONE = utf8(ndjson("auth", 1, "info"));

    @BeforeEach
    void clean() {
        FakeBus.reset();
    }

    private static ValidatableResponse postWithAuth(String authorization) {
        var req = given().body(ONE);
        if (authorization != null) {
            req = req.header("Authorization", authorization);
        }
        return req.when().post("/v1/events").then();
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void missingTokenIs401WithChallenge() {
        postWithAuth(null).statusCode(401)
                .header("WWW-Authenticate", containsString("Bearer"))
                .body("error", equalTo("missing_token"))
                .body("message", containsString("Authorization"))
                .body("request_id", notNullValue());
        assertThat(FakeBus.messages()).isEmpty();
    }

    @Test
    void wrongTokenIs401InEveryForm() {
        postWithAuth("Bearer nope").statusCode(401).body("error", equalTo("invalid_token"));
        postWithAuth("nope").statusCode(401);
        postWithAuth("Splunk nope").statusCode(401);
        postWithAuth(basic("cribl", "nope")).statusCode(401);
        // A configured token in the user part of Basic is not a password.
        postWithAuth(basic("test-token-a", "x")).statusCode(401);
        postWithAuth("Bearer test-token-a-but-longer").statusCode(401);
        assertThat(FakeBus.messages()).isEmpty();
    }

    @Test
    void everyAcceptedAuthFormWorks() {
        postWithAuth("Bearer test-token-a").statusCode(200);
        postWithAuth("test-token-a").statusCode(200);
        postWithAuth("Splunk test-token-a").statusCode(200);
        postWithAuth(basic("cribl", "test-token-a")).statusCode(200);
        assertThat(FakeBus.messages()).hasSize(4);
    }

    @Test
    void bothTokensWorkDuringRotation() {
        postWithAuth("Bearer test-token-a").statusCode(200);
        postWithAuth("Bearer test-token-b").statusCode(200);
    }

    private static ValidatableResponse post(byte[] body, String contentEncoding) {
        var req = given().header("Authorization", "Bearer test-token-b").body(body);
        if (contentEncoding != null) {
            req = req.header("Content-Encoding", contentEncoding);
        }
        return req.when().post("/v1/events").then();
    }

    @Test
    void unsupportedEncodingIs415NamingIt() {
        post(ONE, "br").statusCode(415)
                .body("error", equalTo("unsupported_encoding"))
                .body("message", containsString("'br'"));
        post(ONE, "gzip, zstd").statusCode(415).body("message", containsString("'zstd'"));
        assertThat(FakeBus.messages()).isEmpty();
    }

    @Test
    void compressedOversizeIs413() {
        // %test: max-request-bytes = 2 MiB.
        byte[] big = new byte[(2 << 20) + 1];
        Arrays.fill(big, (byte) ' ');
        post(big, null).statusCode(413).body("error", equalTo("body_too_large")).body("message", containsString("2097152"));
        assertThat(FakeBus.messages()).isEmpty();
    }

    @Test
    void decompressedOversizeIs413() {
        // %test: max-decompressed-bytes = 4 MiB; log-like NDJSON compresses far below the ratio guard.
        byte[] wire = gzip(utf8(ndjson("big", 30_000, "info")));
        assertThat(wire.length).isLessThan(2 << 20);
        post(wire, "gzip").statusCode(413).body("error", equalTo("decompressed_too_large"));
        assertThat(FakeBus.messages()).isEmpty();
    }

    @Test
    void zipBombIs413() {
        // Stopped by the absolute bound (%test: 4 MiB inflated), not by a ratio guard.
        byte[] bomb = gzipZeros(1L << 30);
        post(bomb, "gzip").statusCode(413)
                .body("error", equalTo("decompressed_too_large"))
                .body("message", containsString("4194304"));
        // Also without the header: sniffed and stopped the same way.
        post(bomb, null).statusCode(413).body("error", equalTo("decompressed_too_large"));
        assertThat(FakeBus.messages()).isEmpty();
    }

    @Test
    void corruptGzipIs400() {
        byte[] wire = gzip(ONE);
        byte[] truncated = Arrays.copyOf(wire, wire.length / 2);
        post(truncated, "gzip").statusCode(400).body("error", equalTo("invalid_gzip"));
    }
}
