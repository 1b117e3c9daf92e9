package dev.fanout.consumer;

import dev.fanout.events.Attributes;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.List;
import java.util.Map;

/**
 * Spans of sink writes that continue the traces of the messages in the batch: a batch of one
 * message becomes a child of that message's {@code traceparent}; a batch of many gets one link per
 * message (a span has one parent, and picking one would hide the others).
 */
public final class WriteTracing {

    /** Links beyond this are dropped: exporters cap them (OTel SDK default 128) and they only add noise. */
    static final int MAX_LINKS = 128;

    private static final TextMapGetter<Map<String, String>> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private final Tracer tracer;

    public WriteTracing(OpenTelemetry otel) {
        this.tracer = otel.getTracer("dev.fanout.consumer");
    }

    public static WriteTracing noop() {
        return new WriteTracing(OpenTelemetry.noop());
    }

    /** Starts the span of one batch write (retries and dead letters included) of messages with these attributes. */
    public Span start(String name, String sink, List<Map<String, String>> messageAttributes) {
        SpanBuilder b = tracer.spanBuilder(name).setSpanKind(SpanKind.CONSUMER)
                .setAttribute("fanout.sink", sink)
                .setAttribute("messaging.batch.message_count", messageAttributes.size());
        if (messageAttributes.size() == 1) {
            SpanContext parent = remote(messageAttributes.get(0));
            b.setParent(parent.isValid() ? Context.root().with(Span.wrap(parent)) : Context.root());
        } else {
            b.setNoParent();
            int links = 0;
            for (Map<String, String> attrs : messageAttributes) {
                SpanContext ctx = remote(attrs);
                if (ctx.isValid() && links++ < MAX_LINKS) {
                    b.addLink(ctx);
                }
            }
        }
        return b.startSpan();
    }

    static SpanContext remote(Map<String, String> attrs) {
        if (attrs == null || !attrs.containsKey(Attributes.TRACEPARENT)) {
            return SpanContext.getInvalid();
        }
        Context extracted = W3CTraceContextPropagator.getInstance().extract(Context.root(), attrs, GETTER);
        return Span.fromContext(extracted).getSpanContext();
    }
}
