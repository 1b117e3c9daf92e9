package dev.fanout.ingest;

/**
 * A request the bridge refuses, with the HTTP status and the machine-readable error code that go
 * into the error body. Thrown on the request path only; never carries secrets in its message.
 */
public final class IngestRejection extends RuntimeException {

    private final int status;
    private final String code;

    public IngestRejection(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public IngestRejection(int status, String code, String message, Throwable cause) {
        super(message, cause, false, false);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    /** Error code of the body and the {@code reason} tag of the rejected-requests metric. */
    public String code() {
        return code;
    }
}
