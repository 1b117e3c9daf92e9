package dev.fanout.journal;

import java.time.Duration;

/**
 * What one subscription has not acked yet.
 *
 * @param messages  messages in the journal not acked by this subscription (queued, in flight or waiting for redelivery)
 * @param bytes     their size in the journal, record framing included
 * @param oldestAge how long ago the oldest of them was published; zero when there is none
 */
public record Backlog(long messages, long bytes, Duration oldestAge) {
    public static final Backlog EMPTY = new Backlog(0, 0, Duration.ZERO);
}
