package dev.fanout.events;

import java.util.List;

/**
 * @param events     every event kept from the body, in body order (malformed ones included)
 * @param malformed  how many of {@code events} preserve an undecodable line or element
 * @param format     what the body was detected as: {@code ndjson}, {@code json-array},
 *                   {@code json-object}, {@code wrapper:<pointer>}, {@code lines} (whole-body parse
 *                   failed, decoded line by line) or {@code empty}
 * @param bodyDigest {@link EventIds#bodyDigest} of the body, the {@code i}-th event's id being
 *                   {@code EventIds.eventId(bodyDigest, i)}; null when unknown. Lets
 *                   {@link MessageEncoder#encode(List, byte[], String)} leave derivable ids out.
 */
public record DecodeResult(List<Envelope> events, int malformed, String format, byte[] bodyDigest) {
    public DecodeResult {
        events = List.copyOf(events);
        bodyDigest = bodyDigest == null ? null : bodyDigest.clone();
    }

    /** Without a body digest. */
    public DecodeResult(List<Envelope> events, int malformed, String format) {
        this(events, malformed, format, null);
    }

    @Override
    public byte[] bodyDigest() {
        return bodyDigest == null ? null : bodyDigest.clone();
    }
}
