package dev.fanout.events;

/** Bus message attribute names and values (see {@code docs/event-contract.md}). */
public final class Attributes {
    private Attributes() {}

    /** Contract version of the payload, {@code "1"}. Both modes. */
    public static final String SCHEMA = "schema";
    /** Payload encoding: {@link #ENCODING_JSON} or {@link #ENCODING_NDJSON_GZIP}. Both modes. */
    public static final String ENCODING = "encoding";
    /** Envelope id (event mode, and a single-event packed fallback). */
    public static final String EVENT_ID = "event_id";
    /** Envelope severity wire name (event mode). */
    public static final String SEVERITY = "severity";
    /** Envelope sourcetype (event mode; omitted when null). */
    public static final String SOURCETYPE = "sourcetype";
    /** Envelope host (event mode; omitted when null). */
    public static final String HOST = "host";
    /** W3C trace context of the ingest request (omitted when absent). Both modes. */
    public static final String TRACEPARENT = "traceparent";
    /** Number of envelopes in the message (packed mode). */
    public static final String COUNT = "count";
    /** Most severe severity wire name among the message's envelopes (packed mode). */
    public static final String MAX_SEVERITY = "max_severity";
    /**
     * Packed mode: hex SHA-256 of the request body the message's events were decoded from. With
     * {@link #ID_FIRST}, an envelope line without {@code id} has
     * {@code EventIds.eventId(digest, first + its position in the message)} (ids are derivable, so
     * they need not travel: ~a quarter of a packed message's compressed bytes). Omitted when every
     * line carries its id.
     */
    public static final String ID_DIGEST = "id_digest";
    /** Packed mode, with {@link #ID_DIGEST}: the id ordinal of the message's first line (decimal, ≥ 0). */
    public static final String ID_FIRST = "id_first";
    /**
     * Replay marker: the replay run id, set by the replay tool on every message it publishes
     * (absent on live traffic). Sinks see it as {@code MessageMeta.replay()}.
     */
    public static final String REPLAY = "replay";

    /** {@link #SCHEMA} value of envelope v1. */
    public static final String SCHEMA_V1 = "1";
    /** data = one envelope as JSON. */
    public static final String ENCODING_JSON = "json";
    /** data = gzip of NDJSON envelopes, one per line. */
    public static final String ENCODING_NDJSON_GZIP = "ndjson+gzip";
    /** data = NDJSON envelopes, uncompressed (what the packed encoder writes at gzip level 0). */
    public static final String ENCODING_NDJSON = "ndjson";
}
