package dev.fanout.events;

/**
 * A bus message that can never be decoded (unknown encoding or schema, corrupt gzip, invalid
 * envelope JSON, count mismatch). Unchecked; consumers keep the message in the dead-letter store and acknowledge it.
 */
public class MessageDecodeException extends RuntimeException {
    public MessageDecodeException(String message) {
        super(message);
    }

    public MessageDecodeException(String message, Throwable cause) {
        super(message, cause);
    }
}
