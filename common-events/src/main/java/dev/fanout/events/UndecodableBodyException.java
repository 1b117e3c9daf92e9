package dev.fanout.events;

/** Nothing in the request body can be kept (e.g. it is not UTF-8); the bridge answers 400 with the message. */
public class UndecodableBodyException extends RuntimeException {
    public UndecodableBodyException(String message) {
        super(message);
    }
}
