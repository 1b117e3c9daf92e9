package dev.fanout.store;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Connection settings of an S3-API bucket (Cloudflare R2 in production, s3proxy in tests). Plain
 * values so tests and the replay CLI can build a store without Quarkus config; {@link #toString}
 * never prints the credentials.
 *
 * @param endpoint               e.g. {@code https://<account>.r2.cloudflarestorage.com}
 * @param bucket                 bucket name
 * @param region                 signing region; R2 wants {@code auto}
 * @param accessKeyId            secret
 * @param secretAccessKey        secret
 * @param pathStyle              {@code https://host/bucket/key} instead of bucket subdomains
 * @param connectTimeout         TCP connect timeout
 * @param socketTimeout          max inactivity while reading a response
 * @param apiCallAttemptTimeout  bound on one HTTP attempt
 * @param apiCallTimeout         bound on one call including SDK retries
 * @param maxAttempts            SDK attempts per call (1 = no SDK retry)
 * @param maxConnections         HTTP connection pool size
 */
public record S3Settings(
        URI endpoint,
        String bucket,
        String region,
        String accessKeyId,
        String secretAccessKey,
        boolean pathStyle,
        Duration connectTimeout,
        Duration socketTimeout,
        Duration apiCallAttemptTimeout,
        Duration apiCallTimeout,
        int maxAttempts,
        int maxConnections) {

    public S3Settings {
        Objects.requireNonNull(endpoint, "endpoint (fanout.archive.s3.endpoint)");
        Objects.requireNonNull(bucket, "bucket (fanout.archive.s3.bucket)");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(accessKeyId, "access key id (fanout.archive.s3.access-key-id)");
        Objects.requireNonNull(secretAccessKey, "secret access key (fanout.archive.s3.secret-access-key)");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(socketTimeout, "socketTimeout");
        Objects.requireNonNull(apiCallAttemptTimeout, "apiCallAttemptTimeout");
        Objects.requireNonNull(apiCallTimeout, "apiCallTimeout");
        if (bucket.isBlank()) {
            throw new IllegalArgumentException("bucket must not be blank");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1");
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be >= 1");
        }
    }

    /** Defaults for everything but the location and credentials. */
    public static S3Settings of(URI endpoint, String bucket, String accessKeyId, String secretAccessKey) {
        return new S3Settings(endpoint, bucket, "auto", accessKeyId, secretAccessKey, true,
                Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(120), 2, 16);
    }

    public S3Settings withTimeouts(Duration connect, Duration socket, Duration attempt, Duration call) {
        return new S3Settings(endpoint, bucket, region, accessKeyId, secretAccessKey, pathStyle,
                connect, socket, attempt, call, maxAttempts, maxConnections);
    }

    public S3Settings withMaxAttempts(int attempts) {
        return new S3Settings(endpoint, bucket, region, accessKeyId, secretAccessKey, pathStyle,
                connectTimeout, socketTimeout, apiCallAttemptTimeout, apiCallTimeout, attempts, maxConnections);
    }

    public S3Settings withEndpoint(URI newEndpoint) {
        return new S3Settings(newEndpoint, bucket, region, accessKeyId, secretAccessKey, pathStyle,
                connectTimeout, socketTimeout, apiCallAttemptTimeout, apiCallTimeout, maxAttempts, maxConnections);
    }

    public S3Settings withBucket(String newBucket) {
        return new S3Settings(endpoint, newBucket, region, accessKeyId, secretAccessKey, pathStyle,
                connectTimeout, socketTimeout, apiCallAttemptTimeout, apiCallTimeout, maxAttempts, maxConnections);
    }

    @Override
    public String toString() {
        return "S3Settings[endpoint=" + endpoint + ", bucket=" + bucket + ", region=" + region
                + ", accessKeyId=***, secretAccessKey=***, pathStyle=" + pathStyle
                + ", connectTimeout=" + connectTimeout + ", socketTimeout=" + socketTimeout
                + ", apiCallAttemptTimeout=" + apiCallAttemptTimeout + ", apiCallTimeout=" + apiCallTimeout
                + ", maxAttempts=" + maxAttempts + ", maxConnections=" + maxConnections + "]";
    }
}
