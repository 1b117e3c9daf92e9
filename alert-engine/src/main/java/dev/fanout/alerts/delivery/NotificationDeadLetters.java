package dev.fanout.alerts.delivery;

import dev.fanout.alerts.state.Delivery;

/**
 * Keeps an e-mail the provider refused for good (400/401/403/422), so nothing that was planned
 * disappears silently. Interim interface of the alert sink: the runtime's dead-letter store keeps
 * records; notifications are written here in its layout ({@code dead-letter/sink=alerts/...}).
 */
public interface NotificationDeadLetters {

    void write(Delivery.OutgoingEmail email, String reason, long nowMillis) throws Exception;
}
