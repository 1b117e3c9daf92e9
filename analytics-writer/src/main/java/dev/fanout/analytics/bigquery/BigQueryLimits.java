package dev.fanout.analytics.bigquery;

/**
 * Storage Write API limits that shape the writer
 * (https://cloud.google.com/bigquery/quotas#write-api-limits).
 */
public final class BigQueryLimits {
    private BigQueryLimits() {}

    /** AppendRows request size limit: requests of this size or more are refused by the server. */
    public static final int MAX_APPEND_REQUEST_BYTES = 10_000_000;

    /**
     * What the writer puts in one request at most by default: below {@link #MAX_APPEND_REQUEST_BYTES}
     * with room for the request envelope and writer schema (the Java client's own check was raised
     * to 20 MB, so it no longer protects us).
     */
    public static final int DEFAULT_APPEND_BYTES = 9_000_000;

    /** Per-row framing inside ProtoRows (tag + length varint), a safe upper bound. */
    static final int ROW_OVERHEAD_BYTES = 6;
}
