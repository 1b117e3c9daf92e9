package dev.fanout.ingest.it;

import static dev.fanout.ingest.it.Bodies.event;
import static dev.fanout.ingest.it.Bodies.utf8;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.fanout.events.Envelope;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** §3 of issue 6: one bad element never costs the good events of its body (Cribl drops every 4xx). */
@QuarkusTest
@QuarkusTestResource(FakeBus.class)
class KeepWhatCanBeKeptTests {

    @TestHTTPResource("/")
    URL base;

    @BeforeEach
    void clean() {
        FakeBus.reset();
    }

    @Test
    void aLineThatIsNotUtf8IsKeptAsMalformedAndTheOthersAreAccepted() {
        byte[] body = utf8(event("seq-1", "info") + "\n{\"_raw\":\"caf\u00e9\"}\n" + event("seq-3", "info") + "\n");
        int bad = event("seq-1", "info").length() + 1 + 13; // the second byte of é
        body[bad] = (byte) 0xff;
        given().header("Authorization", "Bearer test-token-a").body(body).when().post("/v1/events").then()
                .statusCode(200).body("accepted", equalTo(3)).body("malformed", equalTo(1));
        List<Envelope> got = FakeBus.envelopes();
        assertThat(got).extracting(Envelope::raw).containsExactly("seq-1", "{\"_raw\":\"caf\uFFFD\uFFFD\"}", "seq-3");
        Envelope m = got.get(1);
        assertThat(m.parseError()).contains("invalid UTF-8");
        int lineStart = event("seq-1", "info").length() + 1;
        byte[] line = Arrays.copyOfRange(body, lineStart, lineStart + 16);
        assertThat(Base64.getDecoder().decode(m.fields().get("raw_base64").asText())).isEqualTo(line);
        assertThat(got.get(0).malformed()).isFalse();
        assertThat(got.get(2).malformed()).isFalse();
    }

    @Test
    void aBodyThatStopsArrivingIs503NeverA4xx() throws Exception {
        // %test: quarkus.http.read-timeout=1s. Content-Length promises more than is ever sent.
        try (Socket s = new Socket(base.getHost(), base.getPort())) {
            s.setSoTimeout(15_000);
            OutputStream out = s.getOutputStream();
            String head = "POST /v1/events HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer test-token-a\r\n"
                    + "Content-Type: application/x-ndjson\r\nContent-Length: 100000\r\n\r\n";
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(utf8(event("stalled", "info") + "\n"));
            out.flush();
            String response = readResponse(s.getInputStream());
            // Vert.x closes the connection when its read timeout fires, so the answer may never get
            // out; either way Cribl sees no 4xx and retries.
            if (!response.isEmpty()) {
                assertThat(response).startsWith("HTTP/1.1 503").containsIgnoringCase("Retry-After: 5")
                        .contains("\"error\":\"body_read_failed\"");
            }
        }
        assertThat(FakeBus.messages()).isEmpty();
        Await.until("the failed read to be counted as a 503", () -> given().when().get("/q/metrics").asString()
                .contains("fanout_ingest_rejected_total{reason=\"body_read_failed\"}"), java.time.Duration.ofSeconds(5));
    }

    /** Reads until the connection closes or a complete JSON body has arrived. */
    static String readResponse(InputStream in) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        byte[] b = new byte[8192];
        while (true) {
            int n;
            try {
                n = in.read(b);
            } catch (java.net.SocketException e) {
                break;
            }
            if (n < 0) {
                break;
            }
            buf.write(b, 0, n);
            String text = buf.toString(StandardCharsets.UTF_8);
            int headEnd = text.indexOf("\r\n\r\n");
            if (headEnd >= 0 && text.endsWith("}")) {
                break;
            }
        }
        return buf.toString(StandardCharsets.UTF_8);
    }
}
