package dev.fanout.ingest.http;

import io.opentelemetry.api.trace.Span;
import java.util.concurrent.ThreadLocalRandom;

/** The id every answer carries: the trace id when tracing is on (logs, traces and the sender's view line up), else random. */
final class RequestIds {

    private RequestIds() {}

    static String next() {
        var ctx = Span.current().getSpanContext();
        if (ctx.isValid()) {
            return ctx.getTraceId();
        }
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return String.format("%016x%016x", r.nextLong(), r.nextLong());
    }
}
