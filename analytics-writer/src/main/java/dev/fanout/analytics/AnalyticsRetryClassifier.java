package dev.fanout.analytics;

import com.google.api.gax.rpc.ApiException;
import com.google.cloud.bigquery.BigQueryException;
import com.google.cloud.bigquery.storage.v1.Exceptions;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.sql.SQLException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Whether a failure of an analytics write may pass if retried.
 *
 * <p>Transient: the Write API's retryable codes (UNAVAILABLE, RESOURCE_EXHAUSTED, INTERNAL,
 * ABORTED, DEADLINE_EXCEEDED, CANCELLED, UNKNOWN), a closed or saturated writer, timeouts, I/O, and
 * configuration problems an operator fixes without touching the data — a missing table or
 * permission (NOT_FOUND, PERMISSION_DENIED, UNAUTHENTICATED) and a schema mismatch
 * ({@link AnalyticsSchemaException}): those must stall the backlog (readiness DOWN) rather than
 * dead-letter every event. Permanent: row errors and other INVALID_ARGUMENTs, which the sink
 * answers per record.
 */
public final class AnalyticsRetryClassifier {

    private AnalyticsRetryClassifier() {}

    public static boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof Exceptions.AppendSerializationError) {
                return false;
            }
            if (t instanceof AnalyticsSchemaException
                    || t instanceof Exceptions.StreamWriterClosedException
                    || t instanceof Exceptions.InflightRequestsLimitExceededException
                    || t instanceof Exceptions.InflightBytesLimitExceededException
                    || t instanceof Exceptions.MaximumRequestCallbackWaitTimeExceededException
                    || t instanceof TimeoutException
                    || t instanceof IOException) {
                return true;
            }
            if (t instanceof StatusRuntimeException s) {
                return transientCode(s.getStatus().getCode());
            }
            if (t instanceof ApiException a) {
                return a.isRetryable() || transientCode(Status.Code.valueOf(a.getStatusCode().getCode().name()));
            }
            if (t instanceof BigQueryException b) {
                return b.isRetryable() || b.getCode() >= 500 || b.getCode() == 429 || b.getCode() == 403 || b.getCode() == 404
                        || b.getCode() == 401 || b.getCode() == 0;
            }
            if (t instanceof SQLException sql) {
                return duckDbTransient(sql);
            }
            if (!(t instanceof ExecutionException) && t.getCause() == null) {
                return false;
            }
        }
        return false;
    }

    static boolean transientCode(Status.Code code) {
        return switch (code) {
            case UNAVAILABLE, RESOURCE_EXHAUSTED, INTERNAL, ABORTED, DEADLINE_EXCEEDED, CANCELLED, UNKNOWN,
                    NOT_FOUND, PERMISSION_DENIED, UNAUTHENTICATED -> true;
            default -> false;
        };
    }

    /**
     * DuckDB writes a local file: what fails there is the disk, a lock or memory, all of which may
     * pass. Only errors about the data itself are permanent.
     */
    static boolean duckDbTransient(SQLException e) {
        String m = String.valueOf(e.getMessage());
        return !(m.startsWith("Conversion Error") || m.startsWith("Invalid Input Error") || m.startsWith("Constraint Error"));
    }
}
