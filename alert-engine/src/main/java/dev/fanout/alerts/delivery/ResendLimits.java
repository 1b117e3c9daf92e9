package dev.fanout.alerts.delivery;

/**
 * Resend's documented limits (https://resend.com/docs/api-reference/introduction#rate-limit,
 * https://resend.com/docs/dashboard/emails/idempotency-keys, account quotas).
 */
public final class ResendLimits {
    private ResendLimits() {}

    /** Requests per second per team as documented (older and newer pages say 5): plan for 2, read the headers. */
    public static final double DOCUMENTED_REQUESTS_PER_SECOND = 2.0;
    /** Longest Idempotency-Key. */
    public static final int MAX_IDEMPOTENCY_KEY_CHARS = 256;
    /** How long Resend remembers an Idempotency-Key. */
    public static final long IDEMPOTENCY_KEY_HOURS = 24;
    /** Addresses in {@code to}. */
    public static final int MAX_TO = 50;
    /** E-mails per {@code POST /emails/batch}. */
    public static final int MAX_BATCH = 100;
}
