package dev.fanout.ingest.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Every error answers with the JSON error body, including those the HTTP and REST layers give. */
@QuarkusTest
@QuarkusTestResource(FakeBus.class)
class ErrorBodyTests {

    @TestHTTPResource("/")
    URL base;

    @Test
    void getOnTheIngestPathIs405WithAllowAndAJsonBody() {
        given().header("Authorization", "Bearer test-token-a").when().get("/v1/events").then().statusCode(405)
                .header("Allow", org.hamcrest.Matchers.allOf(org.hamcrest.Matchers.containsString("POST"),
                        org.hamcrest.Matchers.containsString("PUT")))
                .contentType("application/json")
                .body("error", equalTo("method_not_allowed"))
                .body("request_id", notNullValue());
    }

    @Test
    void anUnknownPathIs404WithAJsonBody() {
        given().when().get("/v1/nothing-here").then().statusCode(404).contentType("application/json")
                .body("error", equalTo("not_found"));
    }

    @Test
    void aHundredKilobyteHeaderIs431WithAJsonBody() {
        given().header("Authorization", "Bearer test-token-a").header("X-Big", "a".repeat(100 * 1024))
                .body("{}").when().post("/v1/events").then().statusCode(431).contentType("application/json")
                .body("error", equalTo("headers_too_large"));
        assertThat(FakeBus.messages()).isEmpty();
    }

    @Test
    void aContentLengthOverTheHttpLayersLimitIs413WithAJsonBody() throws Exception {
        // quarkus.http.limits.max-body-size is 32M: Quarkus' own check would answer an empty 413.
        try (Socket s = new Socket(base.getHost(), base.getPort())) {
            s.setSoTimeout(15_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/events HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer test-token-a\r\n"
                    + "Content-Length: 60000000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String response = KeepWhatCanBeKeptTests.readResponse(s.getInputStream());
            assertThat(response).startsWith("HTTP/1.1 413").contains("\"error\":\"body_too_large\"")
                    .containsIgnoringCase("content-type: application/json");
        }
    }
}
