package dev.fanout.ingest;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;

/** W3C trace context of the current span, carried into bus messages so consumers continue the trace. */
final class Traceparent {

    private Traceparent() {}

    /** {@code 00-<trace-id>-<span-id>-<flags>}, or null when there is no valid current span. */
    static String current() {
        SpanContext c = Span.current().getSpanContext();
        if (!c.isValid()) {
            return null;
        }
        return "00-" + c.getTraceId() + "-" + c.getSpanId() + "-" + c.getTraceFlags().asHex();
    }
}
