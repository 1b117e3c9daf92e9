package dev.fanout.cost;

/**
 * The free tiers Fanout lives in, per month (Resend also per day). Limits as the providers publish
 * them; a volume that needs more than a limit "leaves" that free tier.
 */
public enum FreeTier {
    /** Publish + every subscription's delivery, each request billed at least 1 kB. https://cloud.google.com/pubsub/pricing */
    PUBSUB_THROUGHPUT("Pub/Sub throughput", 10L * 1024 * 1024 * 1024, "bytes/month"),
    /** https://cloud.google.com/run/pricing (request-based billing, Tier 1 regions) */
    CLOUD_RUN_REQUESTS("Cloud Run requests", 2_000_000, "requests/month"),
    CLOUD_RUN_VCPU_SECONDS("Cloud Run vCPU-seconds", 180_000, "vCPU-s/month"),
    CLOUD_RUN_GIB_SECONDS("Cloud Run GiB-seconds", 360_000, "GiB-s/month"),
    /** Active storage, physical or logical as the dataset bills it. https://cloud.google.com/bigquery/pricing#storage */
    BIGQUERY_STORAGE("BigQuery storage", 10L * 1024 * 1024 * 1024, "bytes"),
    /** https://cloud.google.com/bigquery/pricing#data_ingestion_pricing */
    BIGQUERY_WRITE_API("BigQuery Storage Write API", 2L * 1024 * 1024 * 1024 * 1024, "bytes/month"),
    /** https://developers.cloudflare.com/r2/pricing/ (decimal GB) */
    R2_STORAGE("R2 storage", 10_000_000_000L, "bytes (GB-month)"),
    R2_CLASS_A("R2 class A operations", 1_000_000, "operations/month"),
    R2_CLASS_B("R2 class B operations", 10_000_000, "operations/month"),
    /** https://resend.com/pricing — every To/CC/BCC recipient counts. */
    RESEND_DAILY("Resend e-mails per day", 100, "e-mails/day", false),
    RESEND_MONTHLY("Resend e-mails per month", 3_000, "e-mails/month", false);

    private final String label;
    private final double limit;
    private final String unit;
    private final boolean scalesWithVolume;

    FreeTier(String label, double limit, String unit) {
        this(label, limit, unit, true);
    }

    FreeTier(String label, double limit, String unit, boolean scalesWithVolume) {
        this.label = label;
        this.limit = limit;
        this.unit = unit;
        this.scalesWithVolume = scalesWithVolume;
    }

    /** False for e-mail: the alert sink's budget caps it whatever the volume. */
    public boolean scalesWithVolume() {
        return scalesWithVolume;
    }

    public String label() {
        return label;
    }

    public double limit() {
        return limit;
    }

    public String unit() {
        return unit;
    }
}
