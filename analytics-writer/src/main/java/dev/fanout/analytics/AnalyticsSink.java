package dev.fanout.analytics;

import dev.fanout.events.port.EventSink;

/** The analytics {@link EventSink} ({@value #NAME}), on BigQuery or on a local DuckDB file. */
public interface AnalyticsSink extends EventSink {

    /** The sink's name in metrics, logs, config ({@code fanout.consumer.sinks."analytics".*}) and the dead-letter layout. */
    String NAME = "analytics";

    /** Where the rows go, for logs and the banner. */
    String describe();
}
