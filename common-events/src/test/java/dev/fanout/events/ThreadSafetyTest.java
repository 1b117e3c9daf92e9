package dev.fanout.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Shared decoder/encoder instances used from several threads give the same results as one thread. */
class ThreadSafetyTest {

    @Test
    void sharedInstancesAcrossThreads() throws Exception {
        CriblDecoder decoder = new CriblDecoder(CriblDecoderOptions.defaults());
        MessageEncoder packed = new MessageEncoder(new MessageEncoderOptions(PackingMode.PACKED, 16 * 1024, 50, 2));
        List<byte[]> bodies = new ArrayList<>();
        for (int b = 0; b < 8; b++) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 200; i++) {
                sb.append("{\"_raw\":\"body ").append(b).append(" line ").append(i).append("\",\"_time\":")
                        .append(1732371234 + i).append(".5,\"level\":\"").append(i % 3 == 0 ? "error" : "info").append("\"}\n");
                if (i % 40 == 0) {
                    sb.append("broken ").append(i).append('\n');
                }
            }
            bodies.add(sb.toString().getBytes(StandardCharsets.UTF_8));
        }
        List<List<Envelope>> expected = new ArrayList<>();
        for (byte[] body : bodies) {
            expected.add(decoder.decode(body, 0, body.length, TestEnvelopes.RECEIVED).events());
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int round = 0; round < 16; round++) {
                int k = round % bodies.size();
                Callable<Boolean> task = () -> {
                    byte[] body = bodies.get(k);
                    List<Envelope> events = decoder.decode(body, 0, body.length, TestEnvelopes.RECEIVED).events();
                    List<Envelope> back = new ArrayList<>();
                    for (BusMessage m : packed.encode(events, null)) {
                        back.addAll(MessageDecoder.decode(m.data(), m.attributes()));
                    }
                    return events.equals(expected.get(k)) && back.equals(expected.get(k));
                };
                results.add(pool.submit(task));
            }
            for (Future<Boolean> f : results) {
                assertThat(f.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
