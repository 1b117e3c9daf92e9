package dev.fanout.store;

/**
 * Cloudflare R2 limits the archive must stay within.
 *
 * @see <a href="https://developers.cloudflare.com/r2/platform/limits/">R2 limits</a>
 * @see <a href="https://developers.cloudflare.com/r2/pricing/">R2 pricing and free tier</a>
 */
public final class R2Limits {
    private R2Limits() {}

    /** Maximum object key length in bytes (UTF-8). */
    public static final int MAX_KEY_BYTES = 1024;

    /**
     * Maximum user metadata per object in bytes. R2 allows 8,192; AWS S3 only 2 KB, so the archive
     * budgets for the smaller one to stay portable.
     *
     * @see <a href="https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html">S3 metadata</a>
     */
    public static final int MAX_USER_METADATA_BYTES = 2048;

    /** A single PutObject must be smaller than 5 GiB; the archive never uses multipart. */
    public static final long MAX_SINGLE_PUT_BYTES = 5L * 1024 * 1024 * 1024 - 1;

    /** Free tier: class-A operations (PUT, LIST, including a PUT answered 412) per month. */
    public static final long FREE_CLASS_A_OPS_PER_MONTH = 1_000_000L;

    /** Free tier: storage in GB-month. */
    public static final long FREE_STORAGE_GB_MONTH = 10L;
}
