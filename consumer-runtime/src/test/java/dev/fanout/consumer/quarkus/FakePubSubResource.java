package dev.fanout.consumer.quarkus;

import dev.fanout.testsupport.pubsub.PubSubFake;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Starts the loopback Pub/Sub fake with the pull subscription before the app boots. */
public class FakePubSubResource implements QuarkusTestResourceLifecycleManager {

    static final String PROJECT = "fanout-test";
    static final String TOPIC = "claude-events";
    static final String SUBSCRIPTION = "archive-pull";

    static volatile PubSubFake fake;

    @Override
    public Map<String, String> start() {
        fake = PubSubFake.start();
        fake.createSubscription(PROJECT, SUBSCRIPTION, TOPIC, 10);
        return Map.of(
                "fanout.consumer.mode", "pull",
                "fanout.pubsub.project-id", PROJECT,
                "fanout.pubsub.emulator-host", fake.hostPort(),
                "fanout.consumer.subscription", SUBSCRIPTION);
    }

    @Override
    public void stop() {
        if (fake != null) {
            fake.close();
        }
    }
}
