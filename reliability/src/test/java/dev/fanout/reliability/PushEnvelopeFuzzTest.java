package dev.fanout.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.fanout.consumer.push.PushEnvelope;
import dev.fanout.events.MessageDecodeException;
import dev.fanout.events.MessageDecoder;

/**
 * A push endpoint's body comes from whoever holds a token Google signed for its audience — or
 * from anyone, if OIDC is misconfigured. Whatever the bytes: the envelope parses or is refused
 * with {@link PushEnvelope.NotAPushEnvelope} (→ 400 for Pub/Sub, which then dead-letters), and a
 * parsed message then decodes or is refused with {@link MessageDecodeException} (→ dead-letter
 * store), never anything else.
 */
class PushEnvelopeFuzzTest {

    @FuzzTest(maxDuration = "20s")
    void anyPushBodyParsesOrIsRefused(byte[] body) {
        PushEnvelope.Parsed p;
        try {
            p = PushEnvelope.parse(body);
        } catch (PushEnvelope.NotAPushEnvelope expected) {
            return;
        }
        assertThat(p.message().messageId()).isNotEmpty();
        assertThat(p.message().data()).isNotNull();
        try {
            MessageDecoder.decodeMeasured(p.message().data(), p.message().attributes(), 64 * 1024);
        } catch (MessageDecodeException expected) {
            // dead-lettered by the runtime
        }
    }
}
