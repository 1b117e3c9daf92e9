package dev.fanout.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.fanout.cost.CostInputs;
import dev.fanout.cost.CostModel;
import dev.fanout.cost.CostReport;
import dev.fanout.events.BusMessage;
import dev.fanout.events.CriblDecoder;
import dev.fanout.events.CriblDecoderOptions;
import dev.fanout.events.DecodeResult;
import dev.fanout.events.MessageDecoder;
import dev.fanout.events.MessageEncoder;
import dev.fanout.events.MessageEncoderOptions;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The ratios the model takes as inputs are measured here, with the real codec on the benchmarks'
 * realistic Cribl corpus ({@link CriblBodies}: nginx and syslog events of ~520 B), at the size of
 * the messages the model predicts for the reference volume. A codec change that moves them fails
 * this test until {@link CostInputs#defaults} (and docs/cost.md) say the new numbers. (Here, not in
 * cost-model, so the model stays a dependency-free jar that {@code -pl cost-model package} builds.)
 */
class MeasuredCompressionTest {

    /** The bridge's deployed level ({@code FANOUT_INGEST_PACKING_GZIP_LEVEL} in deploy/terraform, checked by cost-model's DeployedDefaultsTest). */
    static final int DEPLOYED_GZIP_LEVEL = 6;
    static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    static final int BODIES = 24;

    record Measured(double busRatio, double attributeBytes, double idsKeptRatio, double events) {}

    /** Cribl bytes / packed message data bytes over {@link #BODIES} bodies of the model's message size. */
    static Measured measure(int bodyBytes, int gzipLevel) {
        CriblDecoder decoder = new CriblDecoder(CriblDecoderOptions.defaults());
        MessageEncoder encoder = new MessageEncoder(MessageEncoderOptions.defaults().withGzipLevel(gzipLevel));
        Instant received = Instant.parse("2026-12-01T12:00:00Z");
        double cribl = 0;
        double data = 0;
        double attrs = 0;
        double withIds = 0;
        double events = 0;
        int messages = 0;
        for (int seed = 1; seed <= BODIES; seed++) {
            byte[] body = CriblBodies.ndjson(bodyBytes, seed);
            DecodeResult r = decoder.decode(body, 0, body.length, received);
            List<BusMessage> out = encoder.encode(r.events(), r.bodyDigest(), TRACEPARENT);
            // What the archive stores and what a replay republishes: every id written.
            List<BusMessage> explicit = encoder.encode(r.events(), TRACEPARENT);
            cribl += body.length;
            events += r.events().size();
            for (BusMessage m : out) {
                data += m.data().length;
                attrs += m.billableSize() - m.data().length;
                messages++;
                // Measured on what decodes back to the same events, nothing else.
                assertThat(MessageDecoder.decode(m.data(), m.attributes())).hasSize(m.eventCount());
            }
            for (BusMessage m : explicit) {
                withIds += m.data().length;
            }
        }
        return new Measured(cribl / data, attrs / messages, cribl / withIds, events / BODIES);
    }

    static int referenceMessageBytes() {
        CostReport r = CostModel.compute(CostInputs.reference());
        return (int) Math.round(r.derived().get("events/message") * CostInputs.reference().eventBytes());
    }

    @Test
    void theBusRatioAndAttributeBytesAreTheMeasuredOnes() {
        int bytes = referenceMessageBytes();
        Measured m = measure(bytes, DEPLOYED_GZIP_LEVEL);
        System.out.printf(Locale.ROOT, "bodies of %,d B (%.0f events): bus %.3f×, attributes %.1f B, ids written %.3f×%n",
                bytes, m.events(), m.busRatio(), m.attributeBytes(), m.idsKeptRatio());
        CostInputs in = CostInputs.reference();
        assertThat(in.busCompressionRatio()).isCloseTo(m.busRatio(), within(m.busRatio() * 0.01));
        assertThat(in.messageAttributeBytes()).isCloseTo(m.attributeBytes(), within(3.0));
        // The archive writes gzip-6 NDJSON of the same envelopes with their ids (ArchiveCodec).
        assertThat(in.archiveCompressionRatio()).isCloseTo(m.idsKeptRatio(), within(m.idsKeptRatio() * 0.01));
    }

    @Test
    void theDeployedLevelIsWhatKeepsPubSubInside() {
        // docs/cost.md: at the bridge's own default (gzip 2) the reference volume would leave Pub/Sub.
        int bytes = referenceMessageBytes();
        Measured two = measure(bytes, MessageEncoderOptions.DEFAULT_GZIP_LEVEL);
        System.out.printf(Locale.ROOT, "gzip %d: bus %.3f×%n", MessageEncoderOptions.DEFAULT_GZIP_LEVEL, two.busRatio());
        assertThat(two.busRatio()).isLessThan(CostInputs.reference().busCompressionRatio());
        CostReport atTwo = CostModel.compute(CostInputs.reference()
                .with(java.util.Map.of("busCompressionRatio", Double.toString(two.busRatio()))));
        assertThat(atTwo.use(dev.fanout.cost.FreeTier.PUBSUB_THROUGHPUT).fits()).as(atTwo.format()).isFalse();
    }
}
