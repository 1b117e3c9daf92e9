package dev.fanout.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The packed encoder reuses its NDJSON buffers: nothing of an earlier request may leak into a later one. */
class MessageEncoderReuseTest {

    private static List<Envelope> roundTrip(MessageEncoder enc, List<Envelope> events) {
        List<Envelope> back = new ArrayList<>();
        for (BusMessage m : enc.encode(events, null)) {
            List<Envelope> part = MessageDecoder.decode(m.data(), m.attributes());
            assertThat(m.attributes().get(Attributes.COUNT)).isEqualTo(Integer.toString(part.size()));
            back.addAll(part);
        }
        return back;
    }

    @Test
    void largeThenSmallThenSplitRequestsDecodeToExactlyTheirOwnEvents() {
        MessageEncoder enc = new MessageEncoder(MessageEncoderOptions.defaults());
        List<Envelope> big = TestEnvelopes.many(3000, 900);
        List<Envelope> small = TestEnvelopes.many(3, 10);
        for (int round = 0; round < 3; round++) {
            assertThat(roundTrip(enc, big)).isEqualTo(big);
            assertThat(roundTrip(enc, small)).isEqualTo(small);
        }
        // Small messages: the buffer's tail is moved to the front at each cut, also in a reused buffer.
        MessageEncoder split = new MessageEncoder(new MessageEncoderOptions(PackingMode.PACKED, 4096, 7, 2));
        List<BusMessage> msgs = split.encode(big.subList(0, 200), null);
        assertThat(msgs.size()).isGreaterThan(1);
        assertThat(roundTrip(split, big.subList(0, 200))).isEqualTo(big.subList(0, 200));
        assertThat(roundTrip(enc, small)).isEqualTo(small);
    }
}
