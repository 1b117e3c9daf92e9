package dev.fanout.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadBucketRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@link ObjectStore} on the S3 API (Cloudflare R2). Create-if-absent is a conditional PutObject
 * with {@code If-None-Match: *}; R2 and S3 answer 412 when the key exists (R2 still bills it as a
 * class-A operation). No ACL, tagging or object-lock headers are ever sent: R2 rejects them.
 */
public final class S3ObjectStore implements ObjectStore {

    public static final int PRECONDITION_FAILED = 412;
    static final int NOT_FOUND = 404;

    private final S3Client s3;
    private final String bucket;
    private final boolean ownsClient;

    /** Uses a client built by {@link S3ClientFactory}; {@link #close} closes it. */
    public S3ObjectStore(S3Settings settings) {
        this(S3ClientFactory.create(settings), settings.bucket(), true);
    }

    public S3ObjectStore(S3Client s3, String bucket, boolean ownsClient) {
        this.s3 = Objects.requireNonNull(s3, "s3");
        this.bucket = Objects.requireNonNull(bucket, "bucket");
        this.ownsClient = ownsClient;
    }

    @Override
    public PutResult putIfAbsent(
            String key, byte[] body, Map<String, String> userMetadata, String contentType, String contentEncoding) {
        PutObjectRequest.Builder req = PutObjectRequest.builder()
                .bucket(bucket)
                .key(key)
                .ifNoneMatch("*")
                .contentLength((long) body.length)
                .metadata(userMetadata);
        if (contentType != null) {
            req.contentType(contentType);
        }
        if (contentEncoding != null) {
            req.contentEncoding(contentEncoding);
        }
        try {
            s3.putObject(req.build(), RequestBody.fromBytes(body));
            return PutResult.CREATED;
        } catch (S3Exception e) {
            if (e.statusCode() == PRECONDITION_FAILED) {
                // Also the answer when our own earlier attempt succeeded but its response was lost.
                return PutResult.ALREADY_EXISTS;
            }
            throw e;
        }
    }

    @Override
    public void checkReady() {
        // Same bucket, credentials and signing path as a write; 403 here means writes fail too.
        s3.headBucket(HeadBucketRequest.builder().bucket(bucket).build());
    }

    @Override
    public List<String> list(String prefix) {
        List<String> keys = new ArrayList<>();
        for (S3Object o : s3.listObjectsV2Paginator(
                ListObjectsV2Request.builder().bucket(bucket).prefix(prefix).build()).contents()) {
            keys.add(o.key());
        }
        keys.sort(null);
        return keys;
    }

    @Override
    public Optional<StoredObject> get(String key) {
        try {
            ResponseBytes<GetObjectResponse> r =
                    s3.getObjectAsBytes(GetObjectRequest.builder().bucket(bucket).key(key).build());
            GetObjectResponse h = r.response();
            return Optional.of(new StoredObject(key, r.asByteArray(), h.metadata(), h.contentType(), h.contentEncoding()));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<VersionedObject> getVersioned(String key) {
        try {
            ResponseBytes<GetObjectResponse> r =
                    s3.getObjectAsBytes(GetObjectRequest.builder().bucket(bucket).key(key).build());
            return Optional.of(new VersionedObject(key, r.asByteArray(), r.response().eTag()));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        }
    }

    /**
     * Conditional PutObject: {@code If-Match: <ETag>} (or {@code If-None-Match: *} for a first
     * write), which R2 documents for PutObject
     * (<a href="https://developers.cloudflare.com/r2/api/s3/conditional-operations/">conditional operations</a>).
     * 412, and 404 for an {@code If-Match} on a key that is gone, mean someone else changed the
     * object; 409 ConditionalRequestConflict (a concurrent conditional write) is thrown and is transient.
     */
    @Override
    public Optional<String> putIfVersion(String key, byte[] body, String expectedVersion, String contentType) {
        PutObjectRequest.Builder req = PutObjectRequest.builder()
                .bucket(bucket)
                .key(key)
                .contentLength((long) body.length);
        if (expectedVersion == null) {
            req.ifNoneMatch("*");
        } else {
            req.ifMatch(expectedVersion);
        }
        if (contentType != null) {
            req.contentType(contentType);
        }
        try {
            return Optional.of(s3.putObject(req.build(), RequestBody.fromBytes(body)).eTag());
        } catch (S3Exception e) {
            if (e.statusCode() == PRECONDITION_FAILED || (expectedVersion != null && e.statusCode() == NOT_FOUND)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public String describe() {
        return "s3://" + bucket;
    }

    @Override
    public void close() {
        if (ownsClient) {
            s3.close();
        }
    }
}
