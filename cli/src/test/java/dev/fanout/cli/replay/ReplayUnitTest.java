package dev.fanout.cli.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.cli.UsageException;
import dev.fanout.events.EnvelopeCodec;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class ReplayUnitTest {

    private static ObjectNode fields(String json) throws Exception {
        return (ObjectNode) EnvelopeCodec.mapper().readTree(json);
    }

    @Test
    void wherePredicatesByJsonPointer() throws Exception {
        ObjectNode f = fields("{\"status\":503,\"code\":\"500\",\"user\":{\"name\":\"admin-1\"},\"ok\":false,\"gone\":null}");
        assertThat(WherePredicate.parse("/status=503").test(f)).isTrue();
        assertThat(WherePredicate.parse("/status=503.0").test(f)).isTrue();
        assertThat(WherePredicate.parse("/status!=503").test(f)).isFalse();
        assertThat(WherePredicate.parse("/status>=500").test(f)).isTrue();
        assertThat(WherePredicate.parse("/status<500").test(f)).isFalse();
        assertThat(WherePredicate.parse("/code=500").test(f)).isTrue();
        assertThat(WherePredicate.parse("/code>499").test(f)).isTrue();
        assertThat(WherePredicate.parse("/user/name~^adm").test(f)).isTrue();
        assertThat(WherePredicate.parse("/user/name~^root").test(f)).isFalse();
        assertThat(WherePredicate.parse("/ok=false").test(f)).isTrue();
        assertThat(WherePredicate.parse("/user").test(f)).isTrue();
        assertThat(WherePredicate.parse("/gone").test(f)).isFalse();
        assertThat(WherePredicate.parse("!/gone").test(f)).isTrue();
        assertThat(WherePredicate.parse("!/missing").test(f)).isTrue();
        assertThat(WherePredicate.parse("/missing!=1").test(f)).isTrue();
        assertThat(WherePredicate.parse("/missing=1").test(f)).isFalse();
        assertThat(WherePredicate.parse("/missing>1").test(f)).isFalse();
        for (String bad : new String[] {"status=1", "/status>abc", "/x~(", "!/x=1"}) {
            assertThatThrownBy(() -> WherePredicate.parse(bad)).as(bad).isInstanceOf(UsageException.class);
        }
    }

    @Test
    void hoursCoverTheRangeAndShardsSplitThemByTheHourItself() {
        List<Instant> h = Partitions.hours(Instant.parse("2026-11-23T01:30:00Z"), Instant.parse("2026-11-23T04:00:00Z"));
        assertThat(h).containsExactly(Instant.parse("2026-11-23T01:00:00Z"), Instant.parse("2026-11-23T02:00:00Z"),
                Instant.parse("2026-11-23T03:00:00Z"));
        assertThat(Partitions.hours(Instant.parse("2026-11-23T04:00:00Z"), Instant.parse("2026-11-23T04:00:00.001Z")))
                .containsExactly(Instant.parse("2026-11-23T04:00:00Z"));
        // Two tasks that resolved "-24h" a minute apart still agree on every hour they both see.
        List<Instant> a = Partitions.hours(Instant.parse("2026-11-22T07:59:30Z"), Instant.parse("2026-11-23T07:59:30Z"));
        List<Instant> b = Partitions.hours(Instant.parse("2026-11-22T08:00:30Z"), Instant.parse("2026-11-23T08:00:30Z"));
        for (int n = 1; n <= 5; n++) {
            for (Instant hour : a) {
                if (b.contains(hour)) {
                    int owners = 0;
                    for (int i = 0; i < n; i++) {
                        if (Partitions.owns(hour, i, n) && Partitions.owns(hour, i, n)) {
                            owners++;
                        }
                    }
                    assertThat(owners).isEqualTo(1);
                }
            }
        }
    }

    @Test
    void shardFromOptionOrCloudRun() {
        assertThat(Shard.resolve("1/4", java.util.Map.of())).isEqualTo(new Shard(1, 4));
        assertThat(Shard.resolve(null, java.util.Map.of("CLOUD_RUN_TASK_INDEX", "2", "CLOUD_RUN_TASK_COUNT", "3")))
                .isEqualTo(new Shard(2, 3));
        assertThat(Shard.resolve(null, java.util.Map.of())).isEqualTo(Shard.ALL);
        assertThatThrownBy(() -> Shard.resolve("4/4", java.util.Map.of())).isInstanceOf(UsageException.class);
        assertThatThrownBy(() -> Shard.resolve("a/b", java.util.Map.of())).isInstanceOf(UsageException.class);
    }

    @Test
    void decoderKeepsWhatCanBeKept() throws Exception {
        String good1 = "{\"id\":\"a\",\"schema\":1,\"time\":\"2026-11-23T07:00:00Z\",\"received_at\":\"2026-11-23T07:00:01Z\","
                + "\"severity\":\"info\",\"fields\":{}}";
        String good2 = good1.replace("\"a\"", "\"b\"");
        byte[] gz = gzip(good1 + "\n\n{not json}\n" + good2 + "\n");
        ObjectDecoder.Decoded d = ObjectDecoder.decode(gz);
        assertThat(d.lines()).extracting(l -> l.envelope().id()).containsExactly("a", "b");
        assertThat(d.badLines()).isEqualTo(1);
        assertThat(d.firstBad()).containsExactly(3);
        assertThat(new String(d.lines().get(1).buf(), d.lines().get(1).off(), d.lines().get(1).len(), StandardCharsets.UTF_8))
                .isEqualTo(good2);

        // Cut short: the complete first line survives, the cut one is counted.
        byte[] cut = Arrays.copyOf(gzip(good1 + "\n" + good2 + "\n"), 60);
        ObjectDecoder.Decoded c = ObjectDecoder.decode(cut);
        assertThat(c.corrupt()).isTrue();
        assertThat(c.problem()).contains("damaged gzip");

        ObjectDecoder.Decoded notGzip = ObjectDecoder.decode("plain".getBytes());
        assertThat(notGzip.corrupt()).isTrue();
        assertThat(notGzip.lines()).isEmpty();

        ObjectDecoder.Decoded clean = ObjectDecoder.decode(gzip(good1 + "\n" + good2));
        assertThat(clean.corrupt()).isFalse();
        assertThat(clean.lines()).hasSize(2);
    }

    @Test
    void headersOnlyKeepAndRejectTheSameLinesAsTheFullRead() throws Exception {
        String good = "{\"id\":\"a\",\"schema\":1,\"time\":\"2026-11-23T07:00:00Z\",\"received_at\":\"2026-11-23T07:00:01Z\","
                + "\"severity\":\"warning\",\"host\":\"h\",\"raw\":\"r\u00e9\",\"fields\":{\"n\":[1,{\"x\":null}]}}";
        String body = good + "\n"
                + good.replace("\"a\"", "\"b\"").replace("\"raw\":\"r\u00e9\"", "\"raw\":7") + "\n"   // raw not a string
                + good.replace("\"a\"", "\"c\"").replace("{\"n\"", "{\"n\":1,\"n\"") + "\n"          // still valid
                + good.replace("\"a\"", "\"d\"").replace("\"fields\":{", "\"fields\":[") + "\n"          // fields not an object
                + good.replace("\"a\"", "\"e\"") + " " + good + "\n"                                         // two on one line
                + good.replace("\"a\"", "\"f\"").replace("warning", "loud") + "\n";                          // unknown severity
        byte[] gz = gzip(body);
        ObjectDecoder.Decoded full = ObjectDecoder.decode(gz, false);
        ObjectDecoder.Decoded headers = ObjectDecoder.decode(gz, true);
        assertThat(full.lines()).extracting(l -> l.envelope().id()).containsExactly("a", "c");
        assertThat(headers.lines()).extracting(l -> l.envelope().id()).containsExactly("a", "c");
        assertThat(headers.badLines()).isEqualTo(full.badLines()).isEqualTo(4);
        assertThat(headers.firstBad()).isEqualTo(full.firstBad());
        for (int i = 0; i < 2; i++) {
            Line h = headers.lines().get(i);
            Line f = full.lines().get(i);
            assertThat(new String(h.buf(), h.off(), h.len(), StandardCharsets.UTF_8))
                    .isEqualTo(new String(f.buf(), f.off(), f.len(), StandardCharsets.UTF_8));
            assertThat(h.envelope().time()).isEqualTo(f.envelope().time());
            assertThat(h.envelope().severity()).isEqualTo(f.envelope().severity());
            assertThat(h.envelope().raw()).isNull();
            assertThat(f.envelope().raw()).isEqualTo("r\u00e9");
        }
    }

    static byte[] gzip(String s) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(b)) {
            g.write(s.getBytes(StandardCharsets.UTF_8));
        }
        return b.toByteArray();
    }

    @Test
    void partitionOfAKey() {
        assertThat(Replayer.partitionOf("events/dt=2026-11-23/hr=07/abc.ndjson.gz")).isEqualTo("dt=2026-11-23/hr=07");
        Set<String> s = new HashSet<>(List.of(Replayer.partitionOf("a/b/dt=2026-01-02/hr=23/x.ndjson.gz")));
        assertThat(s).containsExactly("dt=2026-01-02/hr=23");
    }
}
