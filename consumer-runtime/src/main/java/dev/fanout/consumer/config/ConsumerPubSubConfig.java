package dev.fanout.consumer.config;

import io.smallrye.config.ConfigMapping;
import java.util.Optional;

/**
 * The Pub/Sub connection of pull mode. Same keys as the ingest bridge's publisher, so one setting
 * serves an app that composes both.
 */
@ConfigMapping(prefix = "fanout.pubsub")
public interface ConsumerPubSubConfig {

    /**
     * Google Cloud project of the subscription. Default: none, then the client library's default
     * project ({@code GOOGLE_CLOUD_PROJECT} or the metadata server).
     */
    Optional<String> projectId();

    /**
     * {@code host:port} of a Pub/Sub emulator or the loopback fake (local-only): plaintext channel,
     * no credentials. Default none (real Pub/Sub).
     */
    Optional<String> emulatorHost();
}
