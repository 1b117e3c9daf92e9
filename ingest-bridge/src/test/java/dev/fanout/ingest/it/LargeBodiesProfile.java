package dev.fanout.ingest.it;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** The production body limits and packing instead of the small ones of %test. */
public class LargeBodiesProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "fanout.ingest.max-request-bytes", "16777216",
                "fanout.ingest.max-decompressed-bytes", "16777216",
                "fanout.ingest.packing.max-events", "5000",
                "fanout.ingest.publish-timeout", "20s",
                "fanout.pubsub.batching.element-count", "1000",
                "fanout.pubsub.max-outstanding-bytes", "67108864");
    }
}
