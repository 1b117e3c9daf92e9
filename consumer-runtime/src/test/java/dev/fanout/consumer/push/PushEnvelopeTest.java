package dev.fanout.consumer.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PushEnvelopeTest {

    private static PushEnvelope.Parsed parse(String json) throws Exception {
        return PushEnvelope.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void parsesAPubSubPushBodyKeepingDataAsBytes() throws Exception {
        // 0x1f 0x8b 0x00 0xff: gzip magic plus bytes that are not valid UTF-8
        PushEnvelope.Parsed p = parse("{\"message\":{\"data\":\"H4sA/w==\",\"attributes\":{\"encoding\":\"ndjson+gzip\",\"count\":\"2\"},"
                + "\"messageId\":\"123\",\"message_id\":\"123\",\"publishTime\":\"2026-11-23T10:00:00.5Z\","
                + "\"publish_time\":\"2026-11-23T10:00:00.5Z\"},\"subscription\":\"projects/p/subscriptions/s\",\"deliveryAttempt\":3}");

        assertThat(p.message().data()).containsExactly(0x1f, 0x8b, 0x00, 0xff);
        assertThat(p.message().attributes()).containsEntry("encoding", "ndjson+gzip").containsEntry("count", "2");
        assertThat(p.message().messageId()).isEqualTo("123");
        assertThat(p.message().publishTime()).isEqualTo(Instant.parse("2026-11-23T10:00:00.5Z"));
        assertThat(p.message().deliveryAttempt()).isEqualTo(3);
        assertThat(p.subscription()).isEqualTo("projects/p/subscriptions/s");
    }

    @Test
    void acceptsSnakeCaseOnlyAndMissingOptionalFields() throws Exception {
        PushEnvelope.Parsed p = parse("{\"message\":{\"message_id\":\"9\"}}");
        assertThat(p.message().messageId()).isEqualTo("9");
        assertThat(p.message().data()).isEmpty();
        assertThat(p.message().attributes()).isEmpty();
        assertThat(p.message().publishTime()).isNull();
        assertThat(p.message().deliveryAttempt()).isZero();
    }

    @Test
    void rejectsBodiesThatAreNotPushEnvelopes() {
        for (String bad : new String[] {"", "[]", "not json", "{\"data\":\"aGk=\"}", "{\"message\":\"x\"}",
                "{\"message\":{\"data\":\"aGk=\"}}", "{\"message\":{\"messageId\":\"1\",\"data\":\"%%%\"}}",
                "{\"message\":{\"messageId\":\"1\",\"attributes\":[1]}}"}) {
            assertThatThrownBy(() -> parse(bad)).as(bad).isInstanceOf(PushEnvelope.NotAPushEnvelope.class);
        }
    }
}
