package dev.fanout.events;

import com.fasterxml.jackson.core.JsonPointer;
import java.util.Optional;

/**
 * @param wrapperPointer JSON pointer (RFC 6901, e.g. {@code /items}) to the event array inside a
 *                       Custom-format wrapper object such as {@code {"items":[...]}}; empty when
 *                       Cribl sends plain NDJSON or a JSON array
 */
public record CriblDecoderOptions(Optional<String> wrapperPointer) {
    public CriblDecoderOptions {
        wrapperPointer = wrapperPointer == null ? Optional.empty() : wrapperPointer.filter(s -> !s.isBlank());
        wrapperPointer.ifPresent(p -> {
            if (!p.startsWith("/")) {
                throw new IllegalArgumentException("wrapper pointer must start with '/': " + p);
            }
            JsonPointer.compile(p);
        });
    }

    /** No wrapper: NDJSON, JSON array and single objects only. */
    public static CriblDecoderOptions defaults() {
        return new CriblDecoderOptions(Optional.empty());
    }
}
