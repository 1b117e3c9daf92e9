package dev.fanout.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.ReadOnlyFileSystemException;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;

/**
 * The archive's one retry classifier: may this failure succeed if the write is retried later?
 *
 * <p>Transient: 5xx (except 501), 429 and S3 throttling codes, 408/409, timeouts, connection
 * failures and resets, other I/O errors. Permanent: 4xx such as 403 (credentials, R2 token scope),
 * 400 (invalid request) and 404 NoSuchBucket, 501 (R2 rejecting an unsupported header), access
 * denied on the local filesystem, and programming errors. Either way nothing is acknowledged;
 * this only steers backoff, logging and readiness.
 */
public final class ArchiveRetryClassifier {
    private ArchiveRetryClassifier() {}

    /** S3 error codes that are retryable although some arrive with a 4xx status. */
    private static final Set<String> TRANSIENT_CODES = Set.of(
            "SlowDown", "RequestTimeout", "RequestTimeTooSkewed", "InternalError", "ServiceUnavailable",
            "OperationAborted", "ConditionalRequestConflict", "Throttling", "ThrottlingException",
            "TooManyRequests", "TooManyRequestsException");

    /** Bounds the cause walk: cycles are possible in hand-built exception chains. */
    private static final int MAX_CAUSE_DEPTH = 16;

    public static boolean isTransient(Throwable failure) {
        Throwable t = failure;
        for (int depth = 0; t != null && depth < MAX_CAUSE_DEPTH; depth++, t = t.getCause()) {
            if (t instanceof AwsServiceException service) {
                return isTransientStatus(service.statusCode(), errorCode(service));
            }
            if (t instanceof ApiCallTimeoutException || t instanceof ApiCallAttemptTimeoutException
                    || t instanceof TimeoutException) {
                return true;
            }
            if (t instanceof AccessDeniedException || t instanceof ReadOnlyFileSystemException) {
                return false;
            }
            if (t instanceof IOException || t instanceof UncheckedIOException) {
                // Connect refused/timeout, reset, broken pipe, NoHttpResponse, disk full.
                return true;
            }
        }
        return false;
    }

    static boolean isTransientStatus(int status, String errorCode) {
        if (errorCode != null && TRANSIENT_CODES.contains(errorCode)) {
            return true;
        }
        if (status == 501) {
            return false;
        }
        return status >= 500 || status == 429 || status == 408 || status == 409;
    }

    private static String errorCode(AwsServiceException e) {
        return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    }
}
