package dev.fanout.events;

/** One event does not fit in a Pub/Sub message even gzip-compressed on its own. */
public class MessageTooLargeException extends RuntimeException {
    public MessageTooLargeException(String message) {
        super(message);
    }
}
