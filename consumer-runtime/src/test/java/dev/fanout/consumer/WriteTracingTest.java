package dev.fanout.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.events.Attributes;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WriteTracingTest {

    private static final String TRACE_A = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String TRACE_B = "0af7651916cd43dd8448eb211c80319c";

    private final List<SpanData> spans = new CopyOnWriteArrayList<>();
    private final SdkTracerProvider provider = SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(new SpanExporter() {
                @Override
                public CompletableResultCode export(Collection<SpanData> batch) {
                    spans.addAll(batch);
                    return CompletableResultCode.ofSuccess();
                }

                @Override
                public CompletableResultCode flush() {
                    return CompletableResultCode.ofSuccess();
                }

                @Override
                public CompletableResultCode shutdown() {
                    return CompletableResultCode.ofSuccess();
                }
            })).build();
    private final WriteTracing tracing = new WriteTracing(OpenTelemetrySdk.builder().setTracerProvider(provider).build());

    @AfterEach
    void close() {
        provider.close();
    }

    private static Map<String, String> tp(String trace, String span) {
        return Map.of(Attributes.TRACEPARENT, "00-" + trace + "-" + span + "-01");
    }

    @Test
    void aBatchOfOneContinuesTheMessagesTrace() {
        tracing.start("sink write s", "s", List.of(tp(TRACE_A, "00f067aa0ba902b7"))).end();

        assertThat(spans).singleElement().satisfies(s -> {
            assertThat(s.getTraceId()).isEqualTo(TRACE_A);
            assertThat(s.getParentSpanId()).isEqualTo("00f067aa0ba902b7");
        });
    }

    @Test
    void aBatchOfManyLinksEveryMessagesTrace() {
        tracing.start("sink write s", "s", List.of(tp(TRACE_A, "00f067aa0ba902b7"), Map.of(), tp(TRACE_B, "b7ad6b7169203331"))).end();

        assertThat(spans).singleElement().satisfies(s -> {
            assertThat(s.getTraceId()).isNotIn(TRACE_A, TRACE_B);
            assertThat(s.getLinks()).extracting(LinkData::getSpanContext)
                    .extracting(c -> c.getTraceId()).containsExactly(TRACE_A, TRACE_B);
        });
    }

    @Test
    void theBatcherWritesUnderTheMessagesTrace() throws Exception {
        RecordingSink sink = new RecordingSink("s");
        SinkBatcher b = new SinkBatcher(sink, new BatchPolicy(1, Long.MAX_VALUE, Duration.ofHours(1), 10, 1 << 20),
                RetryPolicy.none(), new RecordingDeadLetters(), ConsumerMetrics.unregistered("s"), tracing).start();
        try {
            String traceparent = "00-" + TRACE_B + "-b7ad6b7169203331-01";
            Delivery d = Delivery.of(TestEvents.received(TestEvents.packed(TestEvents.envelopes("t", 2), traceparent)));
            b.submit(d);
            assertThat(d.outcome().get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(Delivery.Outcome.ACKED);
        } finally {
            b.shutdown(Duration.ofSeconds(5));
        }
        assertThat(spans).singleElement().satisfies(s -> {
            assertThat(s.getName()).isEqualTo("sink write s");
            assertThat(s.getTraceId()).isEqualTo(TRACE_B);
        });
    }
}
