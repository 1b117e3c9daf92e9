package dev.fanout.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.AccessDeniedException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Exception;

class ArchiveRetryClassifierTest {

    private static S3Exception s3(int status, String code) {
        return (S3Exception) S3Exception.builder().statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).build()).message(code).build();
    }

    @Test
    void serverErrorsAndThrottlingAreTransient() {
        assertThat(ArchiveRetryClassifier.isTransient(s3(500, "InternalError"))).isTrue();
        assertThat(ArchiveRetryClassifier.isTransient(s3(503, "ServiceUnavailable"))).isTrue();
        assertThat(ArchiveRetryClassifier.isTransient(s3(503, "SlowDown"))).isTrue();
        assertThat(ArchiveRetryClassifier.isTransient(s3(429, null))).isTrue();
        assertThat(ArchiveRetryClassifier.isTransient(s3(400, "RequestTimeout"))).isTrue();
        assertThat(ArchiveRetryClassifier.isTransient(s3(409, "ConditionalRequestConflict"))).isTrue();
    }

    @Test
    void clientErrorsAndUnsupportedFeaturesArePermanent() {
        assertThat(ArchiveRetryClassifier.isTransient(s3(403, "AccessDenied"))).isFalse();
        assertThat(ArchiveRetryClassifier.isTransient(s3(403, "SignatureDoesNotMatch"))).isFalse();
        assertThat(ArchiveRetryClassifier.isTransient(s3(400, "InvalidArgument"))).isFalse();
        assertThat(ArchiveRetryClassifier.isTransient(
                NoSuchBucketException.builder().statusCode(404).message("NoSuchBucket").build())).isFalse();
        assertThat(ArchiveRetryClassifier.isTransient(s3(501, "NotImplemented"))).isFalse();
    }

    @Test
    void networkFailuresAndTimeoutsAreTransient() {
        assertThat(ArchiveRetryClassifier.isTransient(ApiCallTimeoutException.create(1000))).isTrue();
        assertThat(ArchiveRetryClassifier.isTransient(ApiCallAttemptTimeoutException.create(1000))).isTrue();
        assertThat(ArchiveRetryClassifier.isTransient(SdkClientException.builder()
                .message("Unable to execute HTTP request").cause(new SocketException("Connection reset")).build()))
                .isTrue();
        assertThat(ArchiveRetryClassifier.isTransient(SdkClientException.builder()
                .cause(new SocketTimeoutException("Read timed out")).build())).isTrue();
        assertThat(ArchiveRetryClassifier.isTransient(new UncheckedIOException(new IOException("disk")))).isTrue();
    }

    @Test
    void bugsAndLocalPermissionProblemsArePermanent() {
        assertThat(ArchiveRetryClassifier.isTransient(new IllegalArgumentException("bad key"))).isFalse();
        assertThat(ArchiveRetryClassifier.isTransient(new NullPointerException())).isFalse();
        assertThat(ArchiveRetryClassifier.isTransient(new AccessDeniedException("/archive"))).isFalse();
        assertThat(ArchiveRetryClassifier.isTransient(SdkClientException.create("Unable to load credentials"))).isFalse();
    }
}
