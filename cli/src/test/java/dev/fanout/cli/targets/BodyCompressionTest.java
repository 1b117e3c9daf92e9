package dev.fanout.cli.targets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

class BodyCompressionTest {

    @Test
    void autoIsUncompressedOnlyForLoopbackHosts() {
        for (String local : new String[] {"http://localhost:8080", "http://LOCALHOST", "http://127.0.0.1:1", "http://127.8.9.10",
                "http://[::1]:8080", "http://api.localhost"}) {
            assertThat(BodyCompression.AUTO.resolve(URI.create(local))).as(local).isEqualTo(BodyCompression.NONE);
        }
        for (String remote : new String[] {"https://ingest.example.org", "http://10.0.0.5:8080", "http://[2001:db8::1]",
                "http://localhost.example.org", "http://127.0.0.1.nip.io"}) {
            assertThat(BodyCompression.AUTO.resolve(URI.create(remote))).as(remote).isEqualTo(BodyCompression.GZIP);
        }
    }

    @Test
    void anExplicitChoiceIsKeptWhateverTheHost() {
        assertThat(BodyCompression.GZIP.resolve(URI.create("http://127.0.0.1"))).isEqualTo(BodyCompression.GZIP);
        assertThat(BodyCompression.NONE.resolve(URI.create("https://ingest.example.org"))).isEqualTo(BodyCompression.NONE);
    }

    @Test
    void parsesTheThreeNamesAndRefusesOthers() {
        assertThat(BodyCompression.parse(" Gzip ")).isEqualTo(BodyCompression.GZIP);
        assertThat(BodyCompression.parse("none")).isEqualTo(BodyCompression.NONE);
        assertThatThrownBy(() -> BodyCompression.parse("br")).hasMessageContaining("auto, gzip or none");
    }
}
