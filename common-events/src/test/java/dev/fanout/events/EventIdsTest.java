package dev.fanout.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EventIdsTest {

    private final CriblDecoder decoder = new CriblDecoder(CriblDecoderOptions.defaults());

    private List<String> ids(String body, Instant receivedAt) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return decoder.decode(b, 0, b.length, receivedAt).events().stream().map(Envelope::id).toList();
    }

    @Test
    void sameBodyGivesSameIdsAcrossCallsAndReceiveTimes() {
        String body = "{\"_raw\":\"a\"}\n{\"_raw\":\"b\"}\nnot json\n";
        List<String> first = ids(body, Instant.parse("2026-01-01T00:00:00Z"));
        List<String> again = ids(body, Instant.parse("2026-01-01T00:05:00Z"));
        assertThat(first).hasSize(3).isEqualTo(again);
    }

    @Test
    void identicalEventsInOneBodyGetDifferentIds() {
        String line = "{\"_raw\":\"same\",\"_time\":1732371234}";
        List<String> ids = ids(line + "\n" + line + "\n" + line + "\n", Instant.EPOCH);
        assertThat(new HashSet<>(ids)).hasSize(3);
    }

    @Test
    void differentBodiesGiveDifferentIds() {
        List<String> a = ids("{\"_raw\":\"a\"}\n", Instant.EPOCH);
        List<String> b = ids("{\"_raw\":\"b\"}\n", Instant.EPOCH);
        // Even a whitespace difference is a different request body.
        List<String> c = ids("{\"_raw\":\"a\"} \n", Instant.EPOCH);
        assertThat(a.get(0)).isNotEqualTo(b.get(0)).isNotEqualTo(c.get(0));
    }

    @Test
    void idShapeAndDerivation() {
        byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
        byte[] digest = EventIds.bodyDigest(body, 0, body.length);
        // SHA-256("hello"), a published test vector.
        assertThat(java.util.HexFormat.of().formatHex(digest))
                .isEqualTo("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
        String id = EventIds.eventId(digest, 0);
        assertThat(id).hasSize(32).matches("[0-9a-f]{32}");
        assertThat(EventIds.eventId(digest, 0)).isEqualTo(id);
        Set<String> many = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            many.add(EventIds.eventId(digest, i));
        }
        assertThat(many).hasSize(10_000);
    }

    @Test
    void idIsTheTruncatedHashOfDigestAndBigEndianOrdinal() throws Exception {
        byte[] digest = new byte[32];
        java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
        md.update(digest);
        md.update(new byte[] {0, 0, 1, 2});
        String expected = java.util.HexFormat.of().formatHex(md.digest()).substring(0, 32);
        assertThat(EventIds.eventId(digest, 258)).isEqualTo(expected);
    }
}
