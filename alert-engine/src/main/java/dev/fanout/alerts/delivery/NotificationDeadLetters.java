package dev.fanout.alerts.delivery;

import dev.fanout.alerts.state.Delivery;

/**
 * Keeps an e-mail the provider refused for good (400/401/403/422), so nothing that was planned
 * disappears silently. The runtime's dead-letter store keeps the records the sink rejects; e-mails
 * are not records, so the alert sink keeps them itself, in the same layout
 * ({@code dead-letter/sink=alerts/...}, kind {@code notification}).
 */
public interface NotificationDeadLetters {

    void write(Delivery.OutgoingEmail email, String reason, long nowMillis) throws Exception;
}
