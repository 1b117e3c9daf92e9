package dev.fanout.consumer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the runtime refuses at startup: deadlines that cannot compose, insecure settings in prod. */
class StartupChecksTest {

    private static ConsumerConfig load(Map<String, String> props) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(ConsumerConfig.class)
                .withConverter(Duration.class, 100, new DurationConverter())
                .withSources(new PropertiesConfigSource(props, "test", 500))
                .build();
        return config.getConfigMapping(ConsumerConfig.class);
    }

    private static void check(ConsumerConfig c, Duration maxAge) {
        DeadlineCheck.require(c, "archive", maxAge, c.retry().maxTotal(), c.batch().writeTimeout());
    }

    @Test
    void theDefaultsFitTheDeployedPushAckDeadline() {
        ConsumerConfig c = load(Map.of());
        assertThat(c.push().ackDeadline()).isEqualTo(Duration.ofSeconds(600));
        assertThat(DeadlineCheck.pushMaxWait(c.push())).isEqualTo(Duration.ofSeconds(590));
        assertThatCode(() -> check(c, Duration.ofSeconds(30))).doesNotThrowAnyException();
    }

    /** The example: a 10 s ack deadline with a 30 s batch age never acks anything. */
    @Test
    void aBatchAgeBeyondTheAckDeadlineIsRefused() {
        ConsumerConfig c = load(Map.of("fanout.consumer.push.ack-deadline", "10s"));
        assertThatThrownBy(() -> check(c, Duration.ofSeconds(30))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("sink archive").hasMessageContaining("fanout.consumer.push.ack-deadline");
    }

    @Test
    void retriesPlusOneWriteTimeoutCountAgainstTheDeadline() {
        Map<String, String> p = new HashMap<>();
        p.put("fanout.consumer.push.ack-deadline", "90s");
        p.put("fanout.consumer.retry.max-total", "20s");
        p.put("fanout.consumer.batch.write-timeout", "60s");
        // 2 + 20 + 60 = 82 s > 90 - 10 s
        assertThatThrownBy(() -> check(load(p), Duration.ofSeconds(2))).hasMessageContaining("write-timeout");
        p.put("fanout.consumer.batch.write-timeout", "30s");
        assertThatCode(() -> check(load(p), Duration.ofSeconds(2))).doesNotThrowAnyException();
    }

    @Test
    void aPushMaxWaitBeyondTheAckDeadlineIsRefused() {
        ConsumerConfig c = load(Map.of("fanout.consumer.push.ack-deadline", "60s", "fanout.consumer.push.max-wait", "90s"));
        assertThatThrownBy(() -> check(c, Duration.ofSeconds(1))).hasMessageContaining("max-wait");
    }

    @Test
    void pullIsCheckedAgainstTheMaxAckExtensionAndLocalAgainstItsAckDeadline() {
        ConsumerConfig pull = load(Map.of("fanout.consumer.mode", "pull", "fanout.consumer.pull.max-ack-extension", "60s"));
        assertThatThrownBy(() -> check(pull, Duration.ofSeconds(30))).hasMessageContaining("max-ack-extension");
        ConsumerConfig local = load(Map.of("fanout.consumer.mode", "local", "fanout.consumer.local.ack-deadline", "30s"));
        assertThatThrownBy(() -> check(local, Duration.ofSeconds(2))).hasMessageContaining("local.ack-deadline");
    }
}
