package dev.fanout.events.status;

/**
 * One part of a service's status document ({@code GET /v1/status}): a CDI bean of a library
 * (consumer runtime: the sinks, ingest: the bridge, alerts: the e-mail budget) adds its section.
 *
 * <p>The document is served without authentication (docs/observability.md), so a section carries
 * counts, times and states only: never a token, a credential, an object key, a bucket name or
 * any event content, and no exception message (those can quote all of these).
 */
public interface StatusContributor {

    /** The top-level key of this section, e.g. {@code sinks}. */
    String section();

    /**
     * The section's value: a tree of {@code Map<String, ?>}, {@code List}, {@code String},
     * {@code Number}, {@code Boolean} and null, serialised as JSON.
     *
     * @param health the service's health, computed once per document from its existing checks
     */
    Object status(Health health);
}
