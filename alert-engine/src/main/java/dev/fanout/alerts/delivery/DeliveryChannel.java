package dev.fanout.alerts.delivery;

import dev.fanout.alerts.state.Delivery;

/** Sends one planned delivery: Resend, the local outbox, or SMTP. Must not throw for provider answers. */
public interface DeliveryChannel {

    /** {@code resend}, {@code outbox} or {@code smtp}. */
    String name();

    /** Sends every e-mail of {@code delivery} under its Idempotency-Key; never throws for a provider's answer. */
    DeliveryResult send(Delivery delivery);

    /** Where it delivers, for logs; never secrets. */
    String describe();
}
