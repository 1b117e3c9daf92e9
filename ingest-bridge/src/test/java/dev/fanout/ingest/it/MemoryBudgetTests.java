package dev.fanout.ingest.it;

import static dev.fanout.ingest.it.Bodies.ndjson;
import static dev.fanout.ingest.it.Bodies.utf8;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.fanout.ingest.memory.MemoryBudget;
import dev.fanout.ingest.memory.MemoryGrant;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** §2 of issue 6: the memory budget is taken before the body is read; over it → 503, never an OOM. */
@QuarkusTest
@QuarkusTestResource(FakeBus.class)
class MemoryBudgetTests {

    @Inject
    MemoryBudget budget;

    @TestHTTPResource("/")
    URL base;

    @BeforeEach
    void clean() {
        FakeBus.reset();
    }

    @Test
    void anExhaustedBudgetIs503BeforeTheBodyIsRead() throws Exception {
        MemoryGrant everything = budget.grant(budget.total() - budget.used());
        try (Socket s = new Socket(base.getHost(), base.getPort())) {
            s.setSoTimeout(15_000);
            OutputStream out = s.getOutputStream();
            // Headers only: the body is never sent. An answer can only come from a check made before
            // reading (reading would wait for the body until the 1 s read timeout closes the connection).
            out.write(("POST /v1/events HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer test-token-a\r\n"
                    + "Content-Length: 1000000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String response = KeepWhatCanBeKeptTests.readResponse(s.getInputStream());
            assertThat(response).startsWith("HTTP/1.1 503").containsIgnoringCase("Retry-After: 5")
                    .contains("\"error\":\"memory_budget\"");
        } finally {
            everything.close();
        }
        assertThat(FakeBus.messages()).isEmpty();
        // With the budget back, the same sender succeeds, and every grant is returned afterwards.
        given().header("Authorization", "Bearer test-token-a").body(utf8(ndjson("after", 3, "info")))
                .when().post("/v1/events").then().statusCode(200).body("accepted", equalTo(3));
        Await.until("every grant to be returned", () -> budget.used() == 0, java.time.Duration.ofSeconds(5));
    }

    @Test
    void aBodyOutgrowingWhatIsLeftIs503AndItsGrantIsReturned() {
        // Leave room for the first reservation of a 100 kB body (6 × 100 kB), not for what it inflates to.
        long leave = 6L * 200_000;
        MemoryGrant most = budget.grant(budget.total() - budget.used() - leave);
        try {
            byte[] plain = utf8(ndjson("grow", 20_000, "info"));
            byte[] wire = Bodies.gzip(plain);
            assertThat(wire.length).isLessThan(200_000);
            assertThat(plain.length).isGreaterThan(1_000_000);
            given().header("Authorization", "Bearer test-token-a").header("Content-Encoding", "gzip").body(wire)
                    .when().post("/v1/events").then().statusCode(503).header("Retry-After", "5")
                    .body("error", equalTo("memory_budget"));
        } finally {
            most.close();
        }
        assertThat(FakeBus.messages()).isEmpty();
        assertThat(budget.used()).isZero();
    }
}
