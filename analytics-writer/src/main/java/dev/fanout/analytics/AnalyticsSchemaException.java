package dev.fanout.analytics;

/**
 * The live tables do not match {@code AnalyticsSchema}. Transient by design: the backlog waits
 * (readiness DOWN, messages redelivered) until an operator runs the DDL in the message.
 */
public class AnalyticsSchemaException extends Exception {
    public AnalyticsSchemaException(String message) {
        super(message);
    }
}
