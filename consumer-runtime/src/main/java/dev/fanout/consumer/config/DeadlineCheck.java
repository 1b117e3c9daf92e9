package dev.fanout.consumer.config;

import java.time.Duration;

/**
 * Startup check that a sink's slowest batch is settled before the bus gives up on its messages:
 * batch max-age (waiting for company) + retry max-total (the last retry starts by then) + one
 * write's timeout must be below the bound of the delivery mode. Otherwise a slow batch is answered
 * after Pub/Sub already redelivered it (a 10 s ack deadline with a 30 s batch age never acks
 * anything), which only duplicates work and burns delivery attempts.
 */
public final class DeadlineCheck {

    private DeadlineCheck() {}

    /** Margin kept between the push answer and the ack deadline (network, the answer itself). */
    public static final Duration PUSH_ANSWER_MARGIN = Duration.ofSeconds(10);

    /** The push max-wait in effect: configured, else the ack deadline minus {@link #PUSH_ANSWER_MARGIN}. */
    public static Duration pushMaxWait(ConsumerConfig.Push push) {
        return push.maxWait().orElseGet(() -> push.ackDeadline().minus(PUSH_ANSWER_MARGIN));
    }

    /**
     * Throws naming the keys when {@code maxAge + retryTotal + writeTimeout} can exceed
     * {@code bound}.
     *
     * @param boundName the key of the bound, e.g. {@code fanout.consumer.push.ack-deadline}
     */
    public static void require(String sink, Duration maxAge, Duration retryTotal, Duration writeTimeout,
                               Duration bound, String boundName) {
        Duration worst = maxAge.plus(retryTotal).plus(writeTimeout);
        if (worst.compareTo(bound) >= 0) {
            throw new IllegalStateException("sink " + sink + ": batch max-age " + maxAge + " + retry max-total " + retryTotal
                    + " + write-timeout " + writeTimeout + " = " + worst + " is not below " + boundName + " " + bound
                    + "; lower fanout.consumer.batch.max-age / retry.max-total / batch.write-timeout (or their "
                    + "fanout.consumer.sinks.\"" + sink + "\".* overrides), or raise " + boundName);
        }
    }

    /** Checks one sink against the bound of the mode (push: max-wait and ack deadline; pull: max ack extension; local: ack deadline). */
    public static void require(ConsumerConfig config, String sink, Duration maxAge, Duration retryTotal, Duration writeTimeout) {
        switch (config.mode()) {
            case PUSH -> {
                ConsumerConfig.Push p = config.push();
                if (pushMaxWait(p).compareTo(p.ackDeadline()) > 0) {
                    throw new IllegalStateException("fanout.consumer.push.max-wait " + pushMaxWait(p)
                            + " exceeds fanout.consumer.push.ack-deadline " + p.ackDeadline()
                            + ": Pub/Sub would stop waiting for the answer first");
                }
                require(sink, maxAge, retryTotal, writeTimeout, pushMaxWait(p),
                        p.maxWait().isPresent() ? "fanout.consumer.push.max-wait" : "fanout.consumer.push.ack-deadline - 10s");
            }
            case PULL -> require(sink, maxAge, retryTotal, writeTimeout, config.pull().maxAckExtension(),
                    "fanout.consumer.pull.max-ack-extension");
            case LOCAL -> require(sink, maxAge, retryTotal, writeTimeout, config.local().ackDeadline(),
                    "fanout.consumer.local.ack-deadline");
        }
    }
}
