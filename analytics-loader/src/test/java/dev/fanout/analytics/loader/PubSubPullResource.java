package dev.fanout.analytics.loader;

import dev.fanout.testsupport.pubsub.PubSubFake;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** The loopback Pub/Sub fake with the loader's pull subscription, started before the app boots. */
public class PubSubPullResource implements QuarkusTestResourceLifecycleManager {

    static final String PROJECT = "loader-test";
    static final String TOPIC = "claude-events";
    static final String SUBSCRIPTION = "analytics-pull";

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
