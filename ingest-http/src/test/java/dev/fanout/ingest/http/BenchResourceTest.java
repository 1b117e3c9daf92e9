package dev.fanout.ingest.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchResourceTest {

    @Test
    void disabledByDefaultMeans404() throws IOException {
        var r = new BenchResource(() -> false).discard(new ByteArrayInputStream(new byte[10]));
        assertThat(r.getStatus()).isEqualTo(404);
    }

    @Test
    void enabledReadsAndCountsTheWholeBody() throws IOException {
        var r = new BenchResource(() -> true).discard(new ByteArrayInputStream(new byte[200_000]));
        assertThat(r.getStatus()).isEqualTo(200);
        assertThat(r.getEntity()).isEqualTo(Map.of("bytes", 200_000L));
    }
}
