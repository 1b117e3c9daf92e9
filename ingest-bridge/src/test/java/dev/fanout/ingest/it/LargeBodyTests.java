package dev.fanout.ingest.it;

import static dev.fanout.ingest.it.Bodies.event;
import static dev.fanout.ingest.it.Bodies.gzip;
import static dev.fanout.ingest.it.Bodies.utf8;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.fanout.events.Envelope;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bodies near the production limits (16 MiB here): nothing in them costs the whole request. */
@QuarkusTest
@TestProfile(LargeBodiesProfile.class)
@QuarkusTestResource(FakeBus.class)
class LargeBodyTests {

    @BeforeEach
    void clean() {
        FakeBus.reset();
    }

    @Test
    void anEventTooBigForAnyMessageBecomesAStubAndTheOthersAreAccepted() {
        byte[] noise = new byte[10_000_000];
        new Random(5).nextBytes(noise);
        String huge = Base64.getEncoder().encodeToString(noise); // ~13.3 MB nothing can compress
        String body = event("seq-1", "info") + "\n" + event(huge, "error") + "\n" + event("seq-3", "info") + "\n";
        given().header("Authorization", "Bearer test-token-a").body(utf8(body)).when().post("/v1/events").then()
                .statusCode(200).body("accepted", equalTo(3)).body("malformed", equalTo(1));
        // Three messages published concurrently: their order on the bus is not the body's.
        List<Envelope> got = FakeBus.envelopes();
        assertThat(got).hasSize(3);
        assertThat(got).filteredOn(e -> !e.malformed()).extracting(Envelope::raw).containsExactlyInAnyOrder("seq-1", "seq-3");
        Envelope stub = got.stream().filter(Envelope::malformed).findFirst().orElseThrow();
        assertThat(stub.parseError()).contains("too large");
        assertThat(huge).startsWith(stub.raw());
        assertThat(stub.raw().length()).isEqualTo(1_000_000);
        assertThat(stub.fields().get("original_bytes").asLong()).isGreaterThan(huge.length());
        assertThat(stub.host()).isEqualTo("web-1");
        assertThat(got).extracting(Envelope::id).doesNotHaveDuplicates();
    }

    @Test
    void repetitiveLogsCompressingFarBeyond100To1AreAccepted() {
        // 20,000 identical health-check lines (~290:1): the old 100:1 ratio guard answered 413 and Cribl dropped them.
        String line = "{\"_time\":1732371234.567,\"_raw\":\"GET /healthz HTTP/1.1 200\",\"host\":\"lb-1\"}\n";
        byte[] plain = utf8(line.repeat(20_000));
        byte[] wire = gzip(plain);
        assertThat(plain.length / wire.length).isGreaterThan(200);
        given().header("Authorization", "Bearer test-token-a").header("Content-Encoding", "gzip").body(wire)
                .when().post("/v1/events").then().statusCode(200).body("accepted", equalTo(20_000))
                .body("malformed", equalTo(0));
        assertThat(FakeBus.ids()).hasSize(20_000).doesNotHaveDuplicates();
    }
}
