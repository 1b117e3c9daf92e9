package dev.fanout.alerts.delivery;

import java.time.Duration;
import java.util.List;

/** What became of one provider request (one {@code Delivery}). */
public sealed interface DeliveryResult {

    /** Accepted; the provider's ids, one per e-mail. */
    record Sent(List<String> ids) implements DeliveryResult {}

    /** The provider already has it (409 {@code invalid_idempotent_request}, or an outbox file that exists). */
    record AlreadySent(String reason) implements DeliveryResult {}

    /** 429 {@code rate_limit_exceeded} (or {@code ratelimit-remaining: 0}): try again after {@code retryAfter}. */
    record RateLimited(Duration retryAfter, String reason) implements DeliveryResult {}

    /** 429 {@code daily_quota_exceeded} / {@code monthly_quota_exceeded}: stop until the quota resets. */
    record QuotaExceeded(boolean monthly, String reason) implements DeliveryResult {}

    /** 5xx, timeout, connection failure, 409 {@code concurrent_idempotent_requests}: retry with backoff. */
    record Transient(String reason) implements DeliveryResult {}

    /** 400/401/403/404/422: retrying cannot help; the e-mail goes to the dead-letter store. */
    record Permanent(int status, String reason) implements DeliveryResult {}
}
