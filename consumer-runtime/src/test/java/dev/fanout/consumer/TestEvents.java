package dev.fanout.consumer;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.fanout.events.Attributes;
import dev.fanout.events.BusMessage;
import dev.fanout.events.Envelope;
import dev.fanout.events.MessageEncoder;
import dev.fanout.events.MessageEncoderOptions;
import dev.fanout.events.PackingMode;
import dev.fanout.events.ReceivedMessage;
import dev.fanout.events.Severity;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** Envelopes and bus messages built with the real common-events encoder. */
public final class TestEvents {

    private static final AtomicLong SEQ = new AtomicLong();

    private TestEvents() {}

    public static Envelope envelope(String id) {
        Instant t = Instant.parse("2026-11-23T10:00:00Z");
        return new Envelope(id, Envelope.SCHEMA_V1, t, Envelope.TimeSource.EVENT, t, "host-1", "src", "syslog", "main",
                Severity.INFO, "line " + id, JsonNodeFactory.instance.objectNode(), null);
    }

    public static List<Envelope> envelopes(String prefix, int n) {
        List<Envelope> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(envelope(prefix + "-" + i));
        }
        return out;
    }

    /** One packed bus message holding all the envelopes. */
    public static BusMessage packed(List<Envelope> events, String traceparent) {
        List<BusMessage> msgs = new MessageEncoder(MessageEncoderOptions.defaults()).encode(events, traceparent);
        if (msgs.size() != 1) {
            throw new IllegalStateException("expected one message, got " + msgs.size());
        }
        return msgs.get(0);
    }

    /** One event-mode (plain JSON) bus message. */
    public static BusMessage single(Envelope e) {
        return new MessageEncoder(MessageEncoderOptions.defaults().withMode(PackingMode.EVENT)).encode(List.of(e), null).get(0);
    }

    public static ReceivedMessage received(BusMessage m) {
        return new ReceivedMessage("m" + SEQ.incrementAndGet(), m.data(), m.attributes(), Instant.now(), 1);
    }

    /** A message of n envelopes with ids prefix-0 … prefix-(n-1). */
    public static ReceivedMessage received(String prefix, int n) {
        return received(n == 1 ? single(envelope(prefix + "-0")) : packed(envelopes(prefix, n), null));
    }

    /** A message that claims JSON encoding but holds garbage: can never be decoded. */
    public static ReceivedMessage undecodable() {
        return new ReceivedMessage("bad" + SEQ.incrementAndGet(), "{not json".getBytes(StandardCharsets.UTF_8),
                Map.of(Attributes.ENCODING, Attributes.ENCODING_JSON, Attributes.SCHEMA, Attributes.SCHEMA_V1), Instant.now(), 1);
    }
}
