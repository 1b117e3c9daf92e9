package dev.fanout.events;

import java.util.List;

/**
 * @param events    every event kept from the body, in body order (malformed ones included)
 * @param malformed how many of {@code events} preserve an undecodable line or element
 * @param format    what the body was detected as: {@code ndjson}, {@code json-array},
 *                  {@code json-object}, {@code wrapper:<pointer>}, {@code lines} (whole-body parse
 *                  failed, decoded line by line) or {@code empty}
 */
public record DecodeResult(List<Envelope> events, int malformed, String format) {
    public DecodeResult {
        events = List.copyOf(events);
    }
}
