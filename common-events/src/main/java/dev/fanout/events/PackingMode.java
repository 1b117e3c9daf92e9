package dev.fanout.events;

/** How envelopes map to bus messages (see {@code docs/event-contract.md} for the trade-off). */
public enum PackingMode {
    /** One message per envelope, data = envelope JSON; subscriptions can filter per event. */
    EVENT,
    /** Many envelopes per message, data = gzip NDJSON; far fewer bytes and requests. */
    PACKED
}
