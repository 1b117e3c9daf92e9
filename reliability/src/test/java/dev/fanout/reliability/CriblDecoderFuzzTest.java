package dev.fanout.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.fanout.events.CriblDecoder;
import dev.fanout.events.CriblDecoderOptions;
import dev.fanout.events.DecodeResult;
import dev.fanout.events.Envelope;
import dev.fanout.events.EnvelopeCodec;
import java.io.IOException;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The Cribl body decoder reads what any holder of an ingest token sends. Whatever the bytes: it
 * answers (no exception escapes — the bridge turns nothing into a 400 on its own), every event has
 * a well-formed id unique within the body, and every envelope it makes can be written to the bus
 * and read back unchanged (a sink never meets an envelope the codec cannot carry).
 */
class CriblDecoderFuzzTest {

    private static final Instant RECEIVED = Instant.parse("2026-12-01T00:00:00Z");
    private static final CriblDecoder PLAIN = new CriblDecoder(CriblDecoderOptions.defaults());
    private static final CriblDecoder WRAPPED = new CriblDecoder(new CriblDecoderOptions(Optional.of("/events")));

    @FuzzTest(maxDuration = "20s")
    void anyBodyDecodesIntoCarriableEnvelopes(FuzzedDataProvider data) throws IOException {
        CriblDecoder decoder = data.consumeBoolean() ? WRAPPED : PLAIN;
        byte[] body = data.consumeRemainingAsBytes();
        DecodeResult r = decoder.decode(body, 0, body.length, RECEIVED);
        assertThat(r.malformed()).isBetween(0, r.events().size());
        Set<String> ids = new HashSet<>();
        for (Envelope e : r.events()) {
            assertThat(e.id()).matches("[0-9a-f]{32}");
            assertThat(ids.add(e.id())).as("id %s twice in one body", e.id()).isTrue();
            assertThat(e.receivedAt()).isEqualTo(RECEIVED);
            Envelope back = EnvelopeCodec.fromJson(EnvelopeCodec.toJson(e));
            assertThat(back.id()).isEqualTo(e.id());
            assertThat(back.raw()).isEqualTo(e.raw());
            assertThat(back.time()).isEqualTo(e.time());
            assertThat(back.severity()).isEqualTo(e.severity());
        }
    }
}
