package dev.fanout.store;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

/**
 * Builds an AWS SDK v2 {@link S3Client} that Cloudflare R2 accepts (see
 * docs/archive-format.md and
 * <a href="https://developers.cloudflare.com/r2/examples/aws/aws-sdk-java/">R2 with the Java SDK</a>).
 */
public final class S3ClientFactory {
    private S3ClientFactory() {}

    public static S3Client create(S3Settings s) {
        ApacheHttpClient.Builder http = ApacheHttpClient.builder()
                .connectionTimeout(s.connectTimeout())
                .socketTimeout(s.socketTimeout())
                // Waiting for a pooled connection is bounded by the same budget as connecting.
                .connectionAcquisitionTimeout(s.connectTimeout())
                .maxConnections(s.maxConnections());
        return S3Client.builder()
                .endpointOverride(s.endpoint())
                .region(Region.of(s.region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(s.accessKeyId(), s.secretAccessKey())))
                .serviceConfiguration(S3Configuration.builder()
                        // R2 answers aws-chunked uploads with 403 SignatureDoesNotMatch.
                        .chunkedEncodingEnabled(false)
                        .pathStyleAccessEnabled(s.pathStyle())
                        .build())
                // Since SDK 2.30 CRC32 headers are sent by default and R2 has answered them with 501.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(http)
                .overrideConfiguration(o -> o
                        // Backoff belongs to the consumer runtime (and Pub/Sub redelivery); the SDK
                        // only gets a quick retry for a dropped keep-alive connection.
                        .retryStrategy(b -> b.maxAttempts(s.maxAttempts()))
                        .apiCallAttemptTimeout(s.apiCallAttemptTimeout())
                        .apiCallTimeout(s.apiCallTimeout()))
                .build();
    }
}
